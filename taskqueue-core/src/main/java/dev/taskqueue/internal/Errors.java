package dev.taskqueue.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;

import dev.taskqueue.TaskError;

/** Turns exceptions into stored {@link TaskError}s. */
public final class Errors {

    /** Stack traces are cut here: records and dead letters must stay small. */
    private static final int MAX_STACK_CHARS = 16 * 1024;

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

    public static TaskError toTaskError(Throwable error, boolean retryable) {
        StringWriter stack = new StringWriter();
        error.printStackTrace(new PrintWriter(stack));
        String text = stack.toString();
        if (text.length() > MAX_STACK_CHARS) {
            text = text.substring(0, MAX_STACK_CHARS) + "\n\t... (cut at " + MAX_STACK_CHARS + " characters)";
        }
        return new TaskError(error.getClass().getName(), error.getMessage(), text, retryable);
    }

    /** An error that did not come from the handler (unknown task, bad arguments): no stack to show. */
    public static TaskError ofReason(String type, String message) {
        return new TaskError(type, message, null, false);
    }
}
