package dev.taskqueue;

import org.jspecify.annotations.Nullable;

/** Thrown when waiting for a task that was revoked, or that expired before it started. */
public class TaskRevokedException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final String taskId;

    public TaskRevokedException(String taskId, @Nullable String reason) {
        super("Task [" + taskId + "] was revoked" + (reason != null ? ": " + reason : ""));
        this.taskId = taskId;
    }

    public String getTaskId() {
        return taskId;
    }
}
