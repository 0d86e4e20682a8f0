package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes submissions of a task with the same key collapse into one, decided when they are submitted. The submit
 * returns the handle of the task that won.
 *
 * <pre>{@code
 * @Task(name = "search.reindex", unique = @Unique(key = "#productId", mode = Unique.Mode.DEBOUNCE, window = "5s"))
 * }</pre>
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Unique {

    /**
     * The key: an expression over the arguments ({@code #name}, {@code #name.field}, several joined with {@code :}),
     * or {@code *} for "every call of the task". Empty: not unique.
     */
    String key() default "";

    /** How duplicates are treated. */
    Mode mode() default Mode.UNTIL_FINISHED;

    /**
     * For {@link Mode#WINDOW}: how long a key stays taken. For {@link Mode#DEBOUNCE}: how long the task waits for
     * newer arguments before it runs. For {@link Mode#UNTIL_FINISHED}: the longest a key stays taken if the task
     * never finishes (default: the result TTL).
     */
    String window() default "";

    /** How duplicates are treated. */
    enum Mode {

        /** A new submission is skipped while the first is queued or running. */
        UNTIL_FINISHED,

        /** A new submission is skipped within {@link Unique#window()} of the first. */
        WINDOW,

        /**
         * The task waits {@link Unique#window()} before it runs; a new submission meanwhile replaces its arguments
         * (the latest win) and restarts the wait.
         */
        DEBOUNCE
    }
}
