package dev.taskqueue.broker;

import java.time.Duration;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/**
 * How a claimed task ended, for the broker to record and acknowledge in one atomic step.
 *
 * @param delivery the claimed message (and its lease)
 * @param kind how it ended
 * @param taskName the task name, when the message could be read
 * @param storeRecord whether to store the outcome in the task's record (false for {@code ignoreResult} tasks)
 * @param recordTtlMillis how long the record lives
 * @param resultJson the result as JSON, when it succeeded
 * @param error the error, when it failed, is retried or was revoked
 * @param attempt the attempt number of this run, from 1
 * @param deadLetterReason why it goes to the dead letters (for {@code FAILED} and {@code QUARANTINED})
 * @param uniqueKey the uniqueness key to release now that the task is over, or null
 * @param permitKey the concurrency key whose permit this run held, or null
 * @param retry for {@code RETRY}: the next attempt's message and when it is due
 * @param argumentsJson the task's arguments as JSON (cut short), for its record, or null
 * @param parentId in a workflow, the task whose end submitted this one, for its record, or null
 * @param ranForMillis how long the handler ran (its record's start time is the end minus that), or -1
 * @param submittedAtMillis when the task was submitted (its message's creation time), for its record, or -1
 */
public record Outcome(Delivery delivery, Kind kind, @Nullable String taskName, boolean storeRecord,
        long recordTtlMillis, @Nullable String resultJson, @Nullable TaskError error, int attempt,
        @Nullable String deadLetterReason, @Nullable String uniqueKey, @Nullable String permitKey,
        @Nullable Retry retry, @Nullable String argumentsJson, @Nullable String parentId, long ranForMillis,
        long submittedAtMillis) {

    /** How a task ended. */
    public enum Kind {

        /** The handler returned. */
        SUCCEEDED,

        /** It failed for good: the message goes to the dead letters, the record says FAILURE. */
        FAILED,

        /** The message could not be read; its raw bytes go to the dead letters. */
        QUARANTINED,

        /** It was not run or was stopped (expired, revoked): the record says REVOKED with the reason. */
        REVOKED,

        /** It failed and runs again later: the next attempt waits in Redis, the record says RETRY. */
        RETRY
    }

    /**
     * The next attempt of a retried task.
     *
     * @param body the next attempt's message
     * @param priority its priority
     * @param delayMillis how long it waits (on the broker's clock)
     */
    public record Retry(byte[] body, int priority, long delayMillis) {
    }

    /** Whether the task is over (its uniqueness key is released): anything but a retry. */
    public boolean isFinal() {
        return kind != Kind.RETRY;
    }

    /** The same outcome, releasing these keys. */
    public Outcome releasing(@Nullable String uniqueKey, @Nullable String permitKey) {
        return new Outcome(delivery, kind, taskName, storeRecord, recordTtlMillis, resultJson, error, attempt,
                deadLetterReason, uniqueKey, permitKey, retry, argumentsJson, parentId, ranForMillis,
                submittedAtMillis);
    }

    /**
     * The same outcome, keeping the task's arguments, workflow parent, submission time and run time in its record.
     *
     * @param message the task's message (its parent and creation time)
     * @param ranFor how long the handler ran, or null when it did not run
     */
    public Outcome describing(@Nullable String argumentsJson, TaskMessage message, @Nullable Duration ranFor) {
        return new Outcome(delivery, kind, taskName, storeRecord, recordTtlMillis, resultJson, error, attempt,
                deadLetterReason, uniqueKey, permitKey, retry, argumentsJson, message.parentId(),
                ranFor == null ? -1 : ranFor.toMillis(), message.createdAt() > 0 ? message.createdAt() : -1);
    }

    public static Outcome succeeded(Delivery delivery, String taskName, boolean storeRecord, long ttlMillis,
            @Nullable String resultJson, int attempt) {
        return new Outcome(delivery, Kind.SUCCEEDED, taskName, storeRecord, ttlMillis, resultJson, null, attempt,
                null, null, null, null, null, null, -1, -1);
    }

    public static Outcome failed(Delivery delivery, @Nullable String taskName, boolean storeRecord, long ttlMillis,
            TaskError error, int attempt, String deadLetterReason) {
        return new Outcome(delivery, Kind.FAILED, taskName, storeRecord, ttlMillis, null, error, attempt,
                deadLetterReason, null, null, null, null, null, -1, -1);
    }

    public static Outcome retry(Delivery delivery, String taskName, boolean storeRecord, long ttlMillis,
            TaskError error, int attempt, Retry retry) {
        return new Outcome(delivery, Kind.RETRY, taskName, storeRecord, ttlMillis, null, error, attempt, null, null,
                null, retry, null, null, -1, -1);
    }

    /** A task not run or stopped, for {@code reason} (such as "expired"), kept in the record as the error message. */
    public static Outcome revoked(Delivery delivery, String taskName, boolean storeRecord, long ttlMillis,
            String reason) {
        return new Outcome(delivery, Kind.REVOKED, taskName, storeRecord, ttlMillis, null,
                new TaskError("dev.taskqueue.TaskRevokedException", reason, null, false), 0, null, null, null, null,
                null, null, -1, -1);
    }

    /** The error type of what was quarantined: a message or entry that could not be read (no class has this name). */
    public static final String QUARANTINE_ERROR = "dev.taskqueue.CorruptMessageException";

    public static Outcome quarantined(Delivery delivery, long ttlMillis, TaskError error, String reason) {
        return new Outcome(delivery, Kind.QUARANTINED, null, true, ttlMillis, null, error, 0, reason, null, null,
                null, null, null, -1, -1);
    }
}
