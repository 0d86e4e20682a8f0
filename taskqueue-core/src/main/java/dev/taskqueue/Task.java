package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as a task: something any application instance can submit and any worker runs.
 *
 * <pre>{@code
 * @Component
 * class Thumbnails {
 *     @Task(name = "images.thumbnail", queue = "images")
 *     Thumbnail make(String imageId, int width) { ... }
 * }
 * }</pre>
 *
 * <p>The method's parameters and return value travel as JSON: they must be types Jackson can write and
 * read back (records, POJOs, collections, strings, numbers, enums...). Startup fails, naming the bean and the
 * method, when a type cannot travel (a stream, a thread, an interface Jackson cannot instantiate) or when two
 * methods claim the same name.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Task {

    /** Alias for {@link #name()}. */
    String value() default "";

    /**
     * The task's name: its identity on the wire, used by other services and languages to submit it. Keep it
     * stable. When empty, the name is the declaring class's fully qualified name, a dot and the method name
     * ({@code com.example.Thumbnails.make}), so renaming or moving the class renames the task.
     */
    String name() default "";

    /** The queue the task is submitted to when the caller names none. Empty: the default queue. */
    String queue() default "";

    /**
     * Priority from 0 (the default) to 9 (most urgent); within a queue, a more urgent task is claimed before
     * a less urgent one. {@code -1} means "not set": the caller's option, else 0.
     */
    int priority() default -1;

    /** Whether to skip storing the result and the states (fire-and-forget tasks, at the highest rate). */
    boolean ignoreResult() default false;

    /** How it is retried when it fails (default: {@code taskqueue.retry.*}, which retries nothing). */
    Retry retry() default @Retry;

    /** How long it may run (default: {@code taskqueue.time-limit.*}, no limit). */
    TimeLimit timeLimit() default @TimeLimit;

    /**
     * At most this many starts per period across every worker, such as {@code 100/s}, {@code 20/m}, {@code 10/2s}.
     * Tasks over the limit wait in Redis, off the worker. Empty: not limited.
     */
    String rateLimit() default "";

    /** At most this many runs at once across every worker, optionally per key (default: not limited). */
    Concurrency concurrency() default @Concurrency;

    /** Whether submissions with the same key collapse into one (default: not unique). */
    Unique unique() default @Unique;
}
