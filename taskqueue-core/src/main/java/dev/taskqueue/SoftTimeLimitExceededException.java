package dev.taskqueue;

import java.time.Duration;

/** A task ran past its soft time limit: it was interrupted, and this is its error unless it finished anyway. */
public class SoftTimeLimitExceededException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public SoftTimeLimitExceededException(String taskName, Duration limit) {
        super("Task " + taskName + " exceeded its soft time limit of " + limit);
    }
}
