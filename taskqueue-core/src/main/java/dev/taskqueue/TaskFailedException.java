package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when waiting for a task that failed. Carries the error as the worker recorded it: its type, message and
 * stack trace (the remote exception itself is never deserialized: task payloads cross trust boundaries).
 */
public class TaskFailedException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final @Nullable String taskName;
    private final TaskError error;

    public TaskFailedException(String taskId, @Nullable String taskName, TaskError error) {
        super("Task " + (taskName != null ? taskName + " " : "") + "[" + taskId + "] failed: " + error.summary());
        this.taskId = taskId;
        this.taskName = taskName;
        this.error = error;
    }

    public String getTaskId() {
        return taskId;
    }

    public @Nullable String getTaskName() {
        return taskName;
    }

    /** The error as recorded by the worker. */
    public TaskError getError() {
        return error;
    }

    /** The remote exception's class name, such as {@code java.lang.IllegalStateException}. */
    public String getRemoteType() {
        return error.type();
    }

    /** The remote exception's message. */
    public @Nullable String getRemoteMessage() {
        return error.message();
    }

    /** The remote stack trace, as text. */
    public @Nullable String getRemoteStackTrace() {
        return error.stackTrace();
    }
}
