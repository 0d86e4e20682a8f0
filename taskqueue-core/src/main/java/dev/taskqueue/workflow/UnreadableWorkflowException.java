package dev.taskqueue.workflow;

import dev.taskqueue.TaskQueueException;

/**
 * A step's workflow (what follows it) cannot be read by this worker: it is in a format version this release does
 * not know, or it is not a workflow at all. The step is not run, since what follows it could not start: it fails
 * with this error, and waits in the dead letters for a worker that reads it.
 */
public final class UnreadableWorkflowException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    UnreadableWorkflowException(String message) {
        super(message);
    }
}
