package dev.taskqueue.internal;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.DeclaredTask.JsonType;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.jsonFormatVisitors.JsonArrayFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonBooleanFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import tools.jackson.databind.jsonFormatVisitors.JsonIntegerFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonMapFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonNumberFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonObjectFormatVisitor;
import tools.jackson.databind.jsonFormatVisitors.JsonStringFormatVisitor;

/**
 * The JSON type Jackson writes a Java type as ({@code Instant} may be a string or a number, depending on the
 * mapper's settings), asked of the mapper's own serializers, and of the values callers pass, cached per class.
 */
final class JsonShapes {

    private final ObjectMapper mapper;
    private final Map<Class<?>, JsonType> byClass = new ConcurrentHashMap<>();

    JsonShapes(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The JSON type of a declared parameter or result type. */
    JsonType of(Type type) {
        return ofJavaType(mapper.constructType(type));
    }

    /** The JSON type of a value passed as an argument. */
    JsonType ofValue(@Nullable Object value) {
        if (value == null) {
            return JsonType.ANY;
        }
        if (value instanceof JsonNode node) {
            return node.isString() ? JsonType.STRING : node.isIntegralNumber() ? JsonType.INTEGER
                    : node.isNumber() ? JsonType.NUMBER : node.isBoolean() ? JsonType.BOOLEAN
                            : node.isArray() ? JsonType.ARRAY : node.isObject() ? JsonType.OBJECT : JsonType.ANY;
        }
        return byClass.computeIfAbsent(value.getClass(), c -> ofClass(c));
    }

    private JsonType ofClass(Class<?> type) {
        if (type == String.class || type == Character.class) {
            return JsonType.STRING;
        }
        if (type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                || type == BigInteger.class) {
            return JsonType.INTEGER;
        }
        if (type == Double.class || type == Float.class || type == BigDecimal.class) {
            return JsonType.NUMBER;
        }
        if (type == Boolean.class) {
            return JsonType.BOOLEAN;
        }
        if (type.isArray() && type != byte[].class || Collection.class.isAssignableFrom(type)) {
            return JsonType.ARRAY;
        }
        if (Map.class.isAssignableFrom(type)) {
            return JsonType.OBJECT;
        }
        return ofJavaType(mapper.constructType(type));
    }

    private JsonType ofJavaType(JavaType type) {
        if (type.isJavaLangObject() || JsonNode.class.isAssignableFrom(type.getRawClass())) {
            return JsonType.ANY;
        }
        Visitor visitor = new Visitor();
        try {
            mapper.acceptJsonFormatVisitor(type, visitor);
        }
        catch (JacksonException | IllegalArgumentException ex) {
            return JsonType.ANY; // Jackson cannot say; the worker's conversion decides
        }
        return visitor.found;
    }

    /** Records the first shape a serializer announces; asks nothing further of it. */
    private static final class Visitor extends JsonFormatVisitorWrapper.Base {

        JsonType found = JsonType.ANY;

        @Override
        public @Nullable JsonObjectFormatVisitor expectObjectFormat(JavaType type) {
            found = JsonType.OBJECT;
            return null;
        }

        @Override
        public @Nullable JsonMapFormatVisitor expectMapFormat(JavaType type) {
            found = JsonType.OBJECT;
            return null;
        }

        @Override
        public @Nullable JsonArrayFormatVisitor expectArrayFormat(JavaType type) {
            found = JsonType.ARRAY;
            return null;
        }

        @Override
        public @Nullable JsonStringFormatVisitor expectStringFormat(JavaType type) {
            found = JsonType.STRING;
            return null;
        }

        @Override
        public @Nullable JsonNumberFormatVisitor expectNumberFormat(JavaType type) {
            found = JsonType.NUMBER;
            return null;
        }

        @Override
        public @Nullable JsonIntegerFormatVisitor expectIntegerFormat(JavaType type) {
            found = JsonType.INTEGER;
            return null;
        }

        @Override
        public @Nullable JsonBooleanFormatVisitor expectBooleanFormat(JavaType type) {
            found = JsonType.BOOLEAN;
            return null;
        }
    }
}
