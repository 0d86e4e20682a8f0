package dev.taskqueue.internal;

import java.io.Closeable;
import java.lang.reflect.Type;
import java.util.List;
import java.util.concurrent.Future;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.exc.InvalidDefinitionException;

/**
 * Decides at startup whether a parameter or result type can travel as JSON, so that a task that could never
 * run fails the application's start instead of every call.
 */
final class JsonTypes {

    /** Types that are handles to live resources, not data: they can never travel. */
    private static final List<Class<?>> NOT_DATA = List.of(Closeable.class, AutoCloseable.class, Thread.class,
            ThreadGroup.class, ClassLoader.class, Class.class, java.lang.reflect.Member.class, Future.class,
            java.util.concurrent.CompletionStage.class, java.util.concurrent.Executor.class,
            java.util.stream.BaseStream.class, java.util.function.Function.class, java.util.function.Supplier.class,
            java.util.function.Consumer.class, Runnable.class, java.util.concurrent.Callable.class);

    private JsonTypes() {
    }

    /** Why {@code type} cannot travel as JSON, or null when it can. */
    static @Nullable String whyNotTravelable(ObjectMapper mapper, Type type) {
        return check(mapper, mapper.constructType(type));
    }

    private static @Nullable String check(ObjectMapper mapper, JavaType type) {
        Class<?> raw = type.getRawClass();
        for (Class<?> notData : NOT_DATA) {
            if (notData.isAssignableFrom(raw)) {
                return raw.getName() + " is a live resource, not data (it is a " + notData.getSimpleName()
                        + "); pass an identifier the task can use to find or open it instead";
            }
        }
        if (type.isJavaLangObject() || type.isPrimitive() || type.isEnumType() || raw == Void.class
                || JsonNode.class.isAssignableFrom(raw)) {
            return null;
        }
        if (type.isArrayType() || type.isContainerType() || type.isReferenceType()) {
            if (type.isMapLikeType()) {
                String keyProblem = check(mapper, type.getKeyType());
                if (keyProblem != null) {
                    return keyProblem;
                }
            }
            JavaType content = type.isReferenceType() ? type.getReferencedType() : type.getContentType();
            return content == null ? null : check(mapper, content);
        }
        if (raw.getName().startsWith("java.") && (type.isAbstract() || type.isInterface())) {
            return null; // Number, CharSequence, Temporal...: Jackson reads these, or the reader below would say
        }
        if (type.isAbstract() || type.isInterface()) {
            JsonTypeInfo typeInfo = raw.getAnnotation(JsonTypeInfo.class);
            if (typeInfo != null) {
                if (typeInfo.use() == JsonTypeInfo.Id.CLASS || typeInfo.use() == JsonTypeInfo.Id.MINIMAL_CLASS) {
                    return raw.getName() + " uses @JsonTypeInfo(use = " + typeInfo.use() + "): a payload could name "
                            + "any class to instantiate; use Id.NAME with @JsonSubTypes instead";
                }
                return null;
            }
            if (raw.getAnnotation(JsonDeserialize.class) != null) {
                return null;
            }
            return raw.getName() + " is " + (type.isInterface() ? "an interface" : "abstract")
                    + " and Jackson cannot know which class to create; use a concrete type, or annotate it with "
                    + "@JsonTypeInfo(use = Id.NAME) and @JsonSubTypes";
        }
        try {
            // A concrete JDK class too: java.awt.image.BufferedImage looks like data, and no constructor reads it.
            mapper.readerFor(type).readValue("{}");
            return null;
        }
        catch (InvalidDefinitionException ex) {
            return "Jackson cannot read " + raw.getName() + ": " + ex.getOriginalMessage()
                    + " (add a constructor Jackson can use, make it a record, or annotate a creator with @JsonCreator)";
        }
        catch (JacksonException ex) {
            return null; // the type is readable; "{}" was merely not a valid value for it
        }
    }
}
