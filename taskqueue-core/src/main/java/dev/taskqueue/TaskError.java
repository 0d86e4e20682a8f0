package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/**
 * An error as stored with a failed task.
 *
 * @param type the exception's class name on the worker, such as {@code java.lang.IllegalStateException}
 * @param message its message
 * @param stackTrace its stack trace as text, causes included
 * @param retryable whether the worker judged it worth a retry
 */
public record TaskError(String type, @Nullable String message, @Nullable String stackTrace, boolean retryable) {

    /** {@code type: message}, as a Java stack trace's first line. */
    public String summary() {
        return message == null ? type : type + ": " + message;
    }
}
