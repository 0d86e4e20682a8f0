package dev.taskqueue.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.taskqueue.RateLimit;
import dev.taskqueue.Retry;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.Task;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TaskDefinitionException;
import org.jspecify.annotations.Nullable;

/** Reads {@link Task} declarations: names, queues, result types. One place, used by the registry and the client. */
public final class TaskDeclarations {

    /** A queue name's length at most; it sits inside Redis key names. */
    private static final int QUEUE_NAME_MAX_LENGTH = 100;

    /** Anything printable without spaces, 1 to 200 characters. */
    private static final Pattern TASK_NAME = Pattern.compile("[\\x21-\\x7E&&[^\"\\\\]]{1,200}");

    private TaskDeclarations() {
    }

    /** The {@link Task} annotation on this method, or on a method it overrides. */
    public static @Nullable Task findTaskAnnotation(Method method) {
        return findAnnotation(method, Task.class);
    }

    /**
     * The annotation on the method, or on the method it overrides or implements (a Spring proxy's methods carry
     * none; an interface may declare them).
     */
    public static <A extends Annotation> @Nullable A findAnnotation(Method method, Class<A> annotation) {
        A direct = method.getAnnotation(annotation);
        if (direct != null) {
            return direct;
        }
        for (Class<?> type = method.getDeclaringClass(); type != null; type = type.getSuperclass()) {
            A found = findIn(type, method, annotation);
            if (found != null) {
                return found;
            }
            for (Class<?> iface : type.getInterfaces()) {
                found = findIn(iface, method, annotation);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static <A extends Annotation> @Nullable A findIn(Class<?> type, Method method, Class<A> annotation) {
        try {
            return type.getDeclaredMethod(method.getName(), method.getParameterTypes()).getAnnotation(annotation);
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

    /**
     * The policies a {@link Task} declares, checked: durations that parse, a rate limit that parses, key expressions
     * that name existing parameters.
     *
     * @throws IllegalArgumentException saying what is wrong (the registry adds the bean and the method)
     */
    public static TaskPolicies policies(Task task, List<String> parameterNames) {
        Retry retry = task.retry();
        RetryPolicy retryPolicy = RetryPolicy.UNSET;
        if (retry.maxRetries() != Retry.UNSET) {
            retryPolicy = retryPolicy.withMaxRetries(retry.maxRetries());
        }
        Duration delay = Durations.parse(retry.delay());
        if (delay != null) {
            retryPolicy = retryPolicy.withDelay(delay);
        }
        if (retry.multiplier() != 0) {
            retryPolicy = retryPolicy.withMultiplier(retry.multiplier());
        }
        Duration maxDelay = Durations.parse(retry.maxDelay());
        if (maxDelay != null) {
            retryPolicy = retryPolicy.withMaxDelay(maxDelay);
        }
        Duration jitter = Durations.parse(retry.jitter());
        if (jitter != null) {
            retryPolicy = retryPolicy.withJitter(jitter);
        }
        if (retry.includes().length > 0 || retry.excludes().length > 0) {
            retryPolicy = retryPolicy.withExceptionNames(
                    Arrays.stream(retry.includes()).map(Class::getName).toList(),
                    Arrays.stream(retry.excludes()).map(Class::getName).toList());
        }
        TaskPolicies policies = TaskPolicies.NONE.withRetry(retryPolicy)
                .withTimeLimits(Durations.parse(task.timeLimit().soft()), Durations.parse(task.timeLimit().hard()));
        if (!task.rateLimit().isBlank()) {
            policies = policies.withRateLimit(RateLimit.parse(task.rateLimit()));
        }
        if (task.concurrency().limit() > 0) {
            KeyExpression.parse(task.concurrency().key().isEmpty() ? "*" : task.concurrency().key(), parameterNames);
            policies = policies.withConcurrency(new TaskPolicies.ConcurrencyLimit(task.concurrency().limit(),
                    task.concurrency().key()));
        }
        if (!task.unique().key().isEmpty()) {
            KeyExpression.parse(task.unique().key(), parameterNames);
            policies = policies.withUnique(new TaskPolicies.Uniqueness(task.unique().key(), task.unique().mode(),
                    Durations.parse(task.unique().window())));
        }
        return policies;
    }

    /** The method's parameter names ({@code arg0}... without {@code -parameters}). */
    public static List<String> parameterNames(Method method) {
        return Arrays.stream(method.getParameters()).map(java.lang.reflect.Parameter::getName).toList();
    }

    /** Throws unless {@code queue} is a valid queue name. */
    public static String checkQueueName(String queue) {
        if (!NameCharacters.allowed(queue, QUEUE_NAME_MAX_LENGTH, false)) { // letters, digits and . _ -
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
