package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How long a task may run, as an attribute of {@link Task}.
 * <ul>
 * <li><b>soft</b>: the handler's thread is interrupted; blocking calls throw {@link InterruptedException} and
 * {@link TaskContext#checkTimeLimit()} throws {@link SoftTimeLimitExceededException}, so the handler can clean up.
 * Ending with either counts as a failure (retried if the retry policy says so).</li>
 * <li><b>hard</b>: the worker gives up on the task even if its code ignores interrupts: the task fails (or is
 * retried), its slot is freed at once, and the stuck thread is reported in the log.</li>
 * </ul>
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TimeLimit {

    /** The soft limit, such as {@code 30s}. Empty: not set here (none by default). */
    String soft() default "";

    /** The hard limit, such as {@code 1m}. Empty: not set here (none by default). */
    String hard() default "";
}
