package dev.taskqueue;

import java.time.Duration;

/**
 * A task ran past its hard time limit: the worker gave up on it (failed or retried it, freed its slot) even though
 * its thread may still be running.
 */
public class TimeLimitExceededException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public TimeLimitExceededException(String taskName, Duration limit) {
        super("Task " + taskName + " exceeded its hard time limit of " + limit
                + "; the worker gave up on it (its thread may still run: see the worker's log)");
    }
}
