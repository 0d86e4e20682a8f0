package dev.taskqueue.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.taskqueue.Task;
import dev.taskqueue.TaskDefinitionException;
import org.jspecify.annotations.Nullable;

/** Reads {@link Task} declarations: names, queues, result types. One place, used by the registry and the client. */
public final class TaskDeclarations {

    /** Letters, digits and {@code . _ -}, 1 to 100 characters: a queue name sits inside Redis key names. */
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9._\\-]{1,100}");

    /** Anything printable without spaces, 1 to 200 characters. */
    private static final Pattern TASK_NAME = Pattern.compile("[\\x21-\\x7E&&[^\"\\\\]]{1,200}");

    private TaskDeclarations() {
    }

    /** The {@link Task} annotation on this method, or on a method it overrides. */
    public static @Nullable Task findTaskAnnotation(Method method) {
        Task task = method.getAnnotation(Task.class);
        if (task != null) {
            return task;
        }
        for (Class<?> type = method.getDeclaringClass(); type != null; type = type.getSuperclass()) {
            Task found = findIn(type, method);
            if (found != null) {
                return found;
            }
            for (Class<?> iface : type.getInterfaces()) {
                found = findIn(iface, method);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static @Nullable Task findIn(Class<?> type, Method method) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes()).getAnnotation(Task.class);
        }
        catch (NoSuchMethodException ex) {
            return null;
        }
    }

    /** The task's name: the annotation's, else {@code <fully qualified class name>.<method name>}. */
    public static String taskName(Method method, Task task) {
        String value = task.value();
        String name = task.name();
        if (!value.isEmpty() && !name.isEmpty() && !value.equals(name)) {
            throw new TaskDefinitionException(describe(method) + " declares two names in @Task, '" + value
                    + "' and '" + name + "': keep one.");
        }
        String chosen = !name.isEmpty() ? name : value;
        if (chosen.isEmpty()) {
            chosen = method.getDeclaringClass().getName() + "." + method.getName();
        }
        if (!TASK_NAME.matcher(chosen).matches()) {
            throw new TaskDefinitionException(describe(method) + " has an invalid task name '" + chosen
                    + "': use 1 to 200 printable characters without spaces or quotes.");
        }
        return chosen;
    }

    /** The type the method's result decodes to: its generic return type, boxed; {@code Void} for void methods. */
    public static Type resultType(Method method) {
        Type type = method.getGenericReturnType();
        if (type instanceof Class<?> c && c.isPrimitive()) {
            return box(c);
        }
        return type;
    }

    /** Throws unless {@code queue} is a valid queue name. */
    public static String checkQueueName(String queue) {
        if (queue == null || !QUEUE_NAME.matcher(queue).matches()) {
            throw new IllegalArgumentException("A queue name must be 1 to 100 letters, digits or . _ - characters, "
                    + "got '" + queue + "'");
        }
        return queue;
    }

    /** {@code com.example.Thumbnails.make(String, int)}: how errors name a method. */
    public static String describe(Method method) {
        String params = Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", "));
        return method.getDeclaringClass().getName() + "." + method.getName() + "(" + params + ")";
    }

    /** Whether a method can be invoked on a bean (not static, not private). */
    static boolean isInvocable(Method method) {
        int modifiers = method.getModifiers();
        return !Modifier.isStatic(modifiers) && !Modifier.isPrivate(modifiers);
    }

    static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        if (type == char.class) {
            return Character.class;
        }
        return Void.class;
    }
}
