package dev.taskqueue.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;

import dev.taskqueue.TaskError;

/**
 * Turns exceptions into stored {@link TaskError}s, bounded: a record and a dead letter keep an error's message and
 * stack trace, and an exception's message may echo anything (an argument of a megabyte, say).
 */
public final class Errors {

    /**
     * What a stack trace keeps of its first line, which repeats the error's type and message: the message is kept
     * once, in the error's message.
     */
    private static final int FIRST_LINE_BYTES = 256;

    private Errors() {
    }

    /** The exception a handler threw, without the reflection wrappers around it. */
    public static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof InvocationTargetException || current instanceof UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * The error as stored: its message cut to {@code maxTextBytes}, its stack trace to {@code maxStackTraceBytes}
     * (each line to {@code maxTextBytes}, the first, which repeats the message, shorter), as {@link StoredText} cuts.
     */
    public static TaskError toTaskError(Throwable error, boolean retryable, int maxTextBytes,
            int maxStackTraceBytes) {
        StringWriter printed = new StringWriter();
        error.printStackTrace(new PrintWriter(printed));
        String[] lines = printed.toString().split("\r?\n", -1);
        StringBuilder stack = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                stack.append('\n');
            }
            stack.append(StoredText.cut(lines[i], i == 0 ? Math.min(FIRST_LINE_BYTES, maxTextBytes) : maxTextBytes));
            if (stack.length() > maxStackTraceBytes) {
                break; // the rest would be cut anyway
            }
        }
        return new TaskError(error.getClass().getName(), StoredText.cutOrNull(error.getMessage(), maxTextBytes),
                StoredText.cut(stack.toString(), maxStackTraceBytes), retryable);
    }

    /** The error with its message and stack trace cut as {@link #toTaskError} cuts them (a reason, say). */
    public static TaskError cut(TaskError error, int maxTextBytes, int maxStackTraceBytes) {
        return new TaskError(error.type(), StoredText.cutOrNull(error.message(), maxTextBytes),
                StoredText.cutOrNull(error.stackTrace(), maxStackTraceBytes), error.retryable());
    }

    /** An error that did not come from the handler (unknown task, bad arguments): no stack to show. */
    public static TaskError ofReason(String type, String message) {
        return new TaskError(type, message, null, false);
    }
}
