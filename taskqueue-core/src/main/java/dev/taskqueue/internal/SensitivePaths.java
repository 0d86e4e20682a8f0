package dev.taskqueue.internal;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.taskqueue.Sensitive;
import org.jspecify.annotations.Nullable;

/**
 * Where a task method's {@link Sensitive} values are, as paths into its arguments' and result's JSON: {@code ""} for
 * the whole value, {@code street} for a property, {@code lines.*.card} through the elements of a list (or values of a
 * map). Worked out once per task from the method's annotations and its types' fields and record components, to a
 * depth of {@value #MAX_DEPTH}; types of the JDK are not looked into.
 */
public final class SensitivePaths {

    /** How deep properties are followed: far enough for any sensible argument, and never forever. */
    static final int MAX_DEPTH = 6;

    /** The path of a whole value. */
    public static final String WHOLE = "";

    private SensitivePaths() {
    }

    /** The paths of each parameter's sensitive values, in parameter order. */
    public static List<Set<String>> ofParameters(Method method) {
        List<Set<String>> paths = new ArrayList<>();
        java.lang.reflect.Parameter[] parameters = method.getParameters();
        for (java.lang.reflect.Parameter parameter : parameters) {
            paths.add(of(parameter, parameter.getParameterizedType()));
        }
        return paths;
    }

    /** The paths of the result's sensitive values. */
    public static Set<String> ofResult(Method method) {
        return of(method, method.getGenericReturnType());
    }

    private static Set<String> of(AnnotatedElement element, Type type) {
        if (element.isAnnotationPresent(Sensitive.class)) {
            return Set.of(WHOLE);
        }
        Set<String> paths = new TreeSet<>();
        collect(type, "", 0, new HashSet<>(), paths);
        return Set.copyOf(paths);
    }

    private static void collect(Type type, String prefix, int depth, Set<Class<?>> visiting, Set<String> paths) {
        if (depth >= MAX_DEPTH) {
            return;
        }
        Type element = elementType(type);
        if (element != null) {
            collect(element, prefix + "*.", depth + 1, visiting, paths);
            return;
        }
        Class<?> raw = raw(type);
        if (raw == null || raw.isPrimitive() || raw.isEnum() || raw.getName().startsWith("java.")
                || !visiting.add(raw)) {
            return;
        }
        try {
            for (Property property : properties(raw)) {
                if (property.element().isAnnotationPresent(Sensitive.class)) {
                    paths.add(prefix + property.name());
                }
                else {
                    collect(property.type(), prefix + property.name() + ".", depth + 1, visiting, paths);
                }
            }
        }
        finally {
            visiting.remove(raw);
        }
    }

    private record Property(String name, AnnotatedElement element, Type type) {
    }

    /** A record's components, or a class's instance fields (its superclasses' included, the JDK's not). */
    private static List<Property> properties(Class<?> type) {
        List<Property> properties = new ArrayList<>();
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                Field field = field(type, component.getName());
                boolean marked = component.isAnnotationPresent(Sensitive.class);
                properties.add(new Property(component.getName(), marked || field == null ? component : field,
                        component.getGenericType()));
            }
            return properties;
        }
        for (Class<?> c = type; c != null && !c.getName().startsWith("java."); c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && !field.isSynthetic()) {
                    properties.add(new Property(field.getName(), field, field.getGenericType()));
                }
            }
        }
        return properties;
    }

    private static @Nullable Field field(Class<?> type, String name) {
        try {
            return type.getDeclaredField(name);
        }
        catch (NoSuchFieldException ex) {
            return null;
        }
    }

    /** The element type of an array, a collection or a map's values; null for anything else. */
    private static @Nullable Type elementType(Type type) {
        if (type instanceof GenericArrayType array) {
            return array.getGenericComponentType();
        }
        if (type instanceof Class<?> c && c.isArray()) {
            return c.getComponentType().isPrimitive() ? null : c.getComponentType();
        }
        Class<?> raw = raw(type);
        if (raw == null || !(Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw))) {
            return null;
        }
        if (type instanceof ParameterizedType parameterized) {
            Type[] arguments = parameterized.getActualTypeArguments();
            return arguments[arguments.length - 1]; // a collection's element, a map's value
        }
        return Object.class;
    }

    private static @Nullable Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof WildcardType wildcard && wildcard.getUpperBounds().length == 1) {
            return raw(wildcard.getUpperBounds()[0]);
        }
        return null;
    }
}
