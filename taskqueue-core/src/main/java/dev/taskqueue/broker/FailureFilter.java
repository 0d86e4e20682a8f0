package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/**
 * Which failures {@link QueueBrowser#failures} lists; each part null (or blank) matches all, and the parts that are
 * set must all match. Texts match case-insensitively, as "contains".
 *
 * @param queue only this queue (exact)
 * @param task the task name contains this
 * @param errorType the error's type (a class name) contains this
 * @param text the error's message, type or the task name contains this
 */
public record FailureFilter(@Nullable String queue, @Nullable String task, @Nullable String errorType,
        @Nullable String text) {

    /** Every failure of every queue. */
    public static final FailureFilter ALL = new FailureFilter(null, null, null, null);
}
