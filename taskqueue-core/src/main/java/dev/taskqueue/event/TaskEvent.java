package dev.taskqueue.event;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a task, in the instance where it happened: for Spring application events, logs, and
 * the cluster-wide event stream.
 *
 * @param type what happened
 * @param taskId the task's id ({@code unknown} for a submission counted without one)
 * @param taskName the task's name
 * @param queue its queue
 * @param at when
 * @param source the worker or instance it happened on
 * @param duration how long the run took (for finished runs), else null
 * @param errorType the error's type (for failures and retries), else null
 * @param errorMessage the error's message, else null
 */
public record TaskEvent(Type type, String taskId, String taskName, String queue, Instant at, String source,
        @Nullable Duration duration, @Nullable String errorType, @Nullable String errorMessage) {

    /** What happened. */
    public enum Type {

        /** Stored in Redis by this instance. */
        SENT,

        /** Claimed by a worker of this instance. */
        RECEIVED,

        /** Its handler started. */
        STARTED,

        /** Its handler returned. */
        SUCCEEDED,

        /** It failed for good (or could not be run). */
        FAILED,

        /** It failed and runs again later. */
        RETRIED,

        /** It was revoked, or expired before it started. */
        REVOKED
    }
}
