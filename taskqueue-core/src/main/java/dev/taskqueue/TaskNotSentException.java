package dev.taskqueue;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A task submitted inside a transaction that will not be sent: the transaction rolled back, or Redis could not take
 * the task once it committed. What {@link TaskHandle#sent()}, {@link TaskHandle#get} and {@link TaskHandle#future}
 * fail with then.
 */
public class TaskNotSentException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final List<String> taskIds;

    public TaskNotSentException(List<String> taskIds, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.taskIds = List.copyOf(taskIds);
    }

    /** The ids of the tasks that were not sent (every task of the submission). */
    public List<String> getTaskIds() {
        return taskIds;
    }
}
