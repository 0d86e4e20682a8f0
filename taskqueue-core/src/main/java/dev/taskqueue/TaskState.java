package dev.taskqueue;

/**
 * Where a task is in its life. Celery's names, so that users and the interop layer share one vocabulary.
 */
public enum TaskState {

    /** Waiting in its queue, or unknown: an id nobody submitted also reads as PENDING, as in Celery. */
    PENDING,

    /** Waiting in Redis for its countdown or eta. */
    SCHEDULED,

    /** Claimed by a worker and running. */
    STARTED,

    /** Failed, and waiting in Redis to run again. */
    RETRY,

    /** Finished; the result is stored. */
    SUCCESS,

    /** Finished with an error; the error is stored. */
    FAILURE,

    /** Will not run (revoked, or expired before it started). */
    REVOKED;

    /** Whether the task will not change state again. */
    public boolean isFinished() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }
}
