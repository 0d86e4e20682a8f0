package dev.taskqueue;

import java.time.Duration;

/** Thrown when a task did not finish within the time a caller was willing to wait. The task itself goes on. */
public class TaskTimeoutException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final String taskId;

    public TaskTimeoutException(String taskId, TaskState state, Duration waited) {
        super("Task [" + taskId + "] did not finish within " + waited + " (state " + state
                + "); it goes on: wait again with its handle, or look it up later with TaskClient.handle(id)");
        this.taskId = taskId;
    }

    public String getTaskId() {
        return taskId;
    }
}
