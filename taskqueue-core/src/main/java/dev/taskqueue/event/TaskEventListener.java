package dev.taskqueue.event;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/**
 * Hears what happens to tasks in this application instance: the engine calls it, metrics and logs listen. The
 * core never calls Micrometer itself. Methods run on the engine's threads: keep them short and never throw.
 */
public interface TaskEventListener {

    /** One listener that calls each of {@code listeners} in order; a listener that throws is logged and skipped. */
    static TaskEventListener of(List<? extends TaskEventListener> listeners) {
        return new CompositeTaskEventListener(List.copyOf(listeners));
    }

    /**
     * A task was stored in Redis by this instance (for counting: it does not carry the id; {@link #sent} does,
     * and is called as well).
     */
    default void submitted(String taskName, String queue) {
    }

    /** A task was stored in Redis by this instance, with its id. */
    default void sent(String taskId, String taskName, String queue) {
    }

    /** A worker of this instance claimed a task (it may still wait for a rate slot or a permit, or be revoked). */
    default void received(String taskId, String taskName, String queue) {
    }

    /** A task was submitted with a caller-chosen id that already existed; nothing was stored. */
    default void duplicateSubmitted(String taskName, String queue) {
    }

    /** A worker of this instance started a task. {@code queueWait}: from submission (or due time) to start. */
    default void started(String taskId, String taskName, String queue, Duration queueWait) {
    }

    /** A worker of this instance finished a task (its outcome is about to be recorded). */
    default void finished(Execution execution) {
    }

    /**
     * A finished task's outcome was not recorded because its lease had been taken over (the worker was thought
     * dead, or it held the task past the visibility timeout); the task runs or ran elsewhere.
     */
    default void outcomeRefused(String taskId, @Nullable String taskName, String queue) {
    }

    /** How a task run ended. */
    enum Outcome {
        /** The handler returned. */
        SUCCESS,
        /** The handler threw, or the task could not be run (unknown name, bad arguments). */
        FAILURE,
        /** The message could not be read and was quarantined in the dead letters. */
        QUARANTINED,
        /** The task was not run, or was stopped: it was revoked, or expired before it started. */
        REVOKED,
        /** The run failed and the task runs again later. */
        RETRY
    }

    /**
     * One run of a task.
     *
     * @param taskId the task id
     * @param taskName the task name ({@code "unknown"} when the message could not be read)
     * @param queue the queue
     * @param outcome how it ended
     * @param duration how long the handler ran (zero when it did not run)
     * @param error the error, for failures
     */
    record Execution(String taskId, String taskName, String queue, Outcome outcome, Duration duration,
            @Nullable TaskError error) {
    }
}
