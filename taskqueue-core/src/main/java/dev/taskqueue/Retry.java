package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a task is retried when it fails, as an attribute of {@link Task}: named like Spring Framework 7's
 * {@code @Retryable}. The backoff wait lives in Redis (the task is delayed, state RETRY), never in a worker.
 *
 * <pre>{@code
 * @Task(name = "payments.capture", retry = @Retry(maxRetries = 5, delay = "1s", multiplier = 2, maxDelay = "1m",
 *       jitter = "200ms", includes = IOException.class))
 * }</pre>
 *
 * Durations are written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or in ISO-8601.
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Retry {

    /** "Not set": the call's option, else {@code taskqueue.retry.max-retries}. */
    int UNSET = -1;

    /** How many times to retry after the first attempt; 0 never retries. {@link #UNSET}: not set here. */
    int maxRetries() default UNSET;

    /** The wait before the first retry. Empty: not set here (default 1s). */
    String delay() default "";

    /** Each wait is the previous one times this (1: a fixed delay). 0: not set here (default 2). */
    double multiplier() default 0;

    /** The longest wait. Empty: not set here (default 10m). */
    String maxDelay() default "";

    /** A random amount up to this added to or removed from each wait, so retries do not align. Empty: not set. */
    String jitter() default "";

    /** Retry only on these exceptions (and their subclasses). Empty: any exception, but those in excludes. */
    Class<? extends Throwable>[] includes() default {};

    /** Never retry on these exceptions (and their subclasses). */
    Class<? extends Throwable>[] excludes() default {};
}
