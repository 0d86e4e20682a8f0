package dev.taskqueue.broker;

import java.time.Duration;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/**
 * How a claimed task ended, for the broker to record and acknowledge in one atomic step.
 *
 * <p>Built from one named factory per {@link Kind}, which takes what only that kind has (a result, an error and why
 * it goes to the dead letters, the next attempt), then typed parts common to every kind:
 * <pre>{@code
 * Outcome.failed(delivery, error, "failed after 3 attempt(s): java.io.IOException")
 *         .task("orders.price", 3)
 *         .record(true, ttlMillis)
 *         .releasing(new Releases(uniqueKey, permitKey))
 *         .describing(Description.of(argumentsJson, message, ranFor))
 *         .build();
 * }</pre>
 * A broker reads it through the accessors ({@link #kind()}, {@link #storeRecord()}, {@link #error()}...), each of
 * which says for which kinds it is set.
 */
public final class Outcome {

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

    /**
     * The keys a run held that its end gives back.
     *
     * @param uniqueKey the uniqueness key to release now that the task is over (never by a retry), or null
     * @param permitKey the concurrency key whose permit this run held, or null
     */
    public record Releases(@Nullable String uniqueKey, @Nullable String permitKey) {

        /** Nothing to give back. */
        public static final Releases NONE = new Releases(null, null);
    }

    /**
     * What the task's record keeps of it besides how it ended.
     *
     * @param argumentsJson the task's arguments as JSON (cut short), or null
     * @param parentId in a workflow, the task whose end submitted this one, or null
     * @param ranForMillis how long the handler ran (its record's start time is the end minus that), or -1
     * @param submittedAtMillis when the task was submitted (its message's creation time), or -1
     * @param contextJson its message's headers, workflow root and children, as the record's {@code ctx} field
     *        ({@code dev.taskqueue.internal.ContextJson}), or null when it has none
     */
    public record Description(@Nullable String argumentsJson, @Nullable String parentId, long ranForMillis,
            long submittedAtMillis, @Nullable String contextJson) {

        /** Nothing more than the outcome. */
        public static final Description NONE = new Description(null, null, -1, -1, null);

        /** A description without a context. */
        public Description(@Nullable String argumentsJson, @Nullable String parentId, long ranForMillis,
                long submittedAtMillis) {
            this(argumentsJson, parentId, ranForMillis, submittedAtMillis, null);
        }

        /**
         * @param message the task's message (its parent and creation time)
         * @param ranFor how long the handler ran, or null when it did not run
         */
        public static Description of(@Nullable String argumentsJson, TaskMessage message, @Nullable Duration ranFor) {
            return of(argumentsJson, message, ranFor, null);
        }

        /**
         * @param message the task's message (its parent and creation time)
         * @param ranFor how long the handler ran, or null when it did not run
         * @param contextJson the record's {@code ctx} field, or null
         */
        public static Description of(@Nullable String argumentsJson, TaskMessage message, @Nullable Duration ranFor,
                @Nullable String contextJson) {
            return new Description(argumentsJson, message.parentId(), ranFor == null ? -1 : ranFor.toMillis(),
                    message.createdAt() > 0 ? message.createdAt() : -1, contextJson);
        }
    }

    /** The error type of what was quarantined: a message or entry that could not be read (no class has this name). */
    public static final String QUARANTINE_ERROR = "dev.taskqueue.CorruptMessageException";

    private final Delivery delivery;
    private final Kind kind;
    private final @Nullable String taskName;
    private final int attempt;
    private final boolean storeRecord;
    private final long recordTtlMillis;
    private final @Nullable String resultJson;
    private final @Nullable TaskError error;
    private final @Nullable String deadLetterReason;
    private final @Nullable Retry retry;
    private final Releases releases;
    private final Description description;

    private Outcome(Builder builder) {
        this.delivery = builder.delivery;
        this.kind = builder.kind;
        this.taskName = builder.taskName;
        this.attempt = builder.attempt;
        this.storeRecord = builder.storeRecord;
        this.recordTtlMillis = builder.recordTtlMillis;
        this.resultJson = builder.resultJson;
        this.error = builder.error;
        this.deadLetterReason = builder.deadLetterReason;
        this.retry = builder.retry;
        this.releases = builder.releases;
        this.description = builder.description;
    }

    /** The handler returned {@code resultJson} (its result as JSON; null when not kept). */
    public static Builder succeeded(Delivery delivery, @Nullable String resultJson) {
        Builder builder = new Builder(delivery, Kind.SUCCEEDED);
        builder.resultJson = resultJson;
        return builder;
    }

    /** It failed for good with {@code error}; its message goes to the dead letters for {@code deadLetterReason}. */
    public static Builder failed(Delivery delivery, TaskError error, String deadLetterReason) {
        Builder builder = new Builder(delivery, Kind.FAILED);
        builder.error = error;
        builder.deadLetterReason = deadLetterReason;
        return builder;
    }

    /** It failed with {@code error} and runs again: {@code next} waits in the broker until it is due. */
    public static Builder retry(Delivery delivery, TaskError error, Retry next) {
        Builder builder = new Builder(delivery, Kind.RETRY);
        builder.error = error;
        builder.retry = next;
        return builder;
    }

    /** Not run or stopped, for {@code reason} (such as "expired"), kept in the record as the error message. */
    public static Builder revoked(Delivery delivery, String reason) {
        Builder builder = new Builder(delivery, Kind.REVOKED);
        builder.error = new TaskError("dev.taskqueue.TaskRevokedException", reason, null, false);
        return builder;
    }

    /**
     * A message or entry that could not be read ({@code error} of type {@link #QUARANTINE_ERROR}) goes, as stored, to
     * the dead letters for {@code reason}. Its record, if it has an id, says FAILURE.
     */
    public static Builder quarantined(Delivery delivery, TaskError error, String reason) {
        Builder builder = new Builder(delivery, Kind.QUARANTINED);
        builder.error = error;
        builder.deadLetterReason = reason;
        builder.storeRecord = true;
        return builder;
    }

    /** The parts every kind of outcome has; {@link #record} is required. */
    public static final class Builder {

        private final Delivery delivery;
        private final Kind kind;
        private @Nullable String taskName;
        private int attempt;
        private boolean storeRecord;
        private long recordTtlMillis = -1;
        private @Nullable String resultJson;
        private @Nullable TaskError error;
        private @Nullable String deadLetterReason;
        private @Nullable Retry retry;
        private Releases releases = Releases.NONE;
        private Description description = Description.NONE;

        private Builder(Delivery delivery, Kind kind) {
            this.delivery = delivery;
            this.kind = kind;
        }

        /** The task's name (null when its message could not say) and this run's attempt, from 1 (0: it did not run). */
        public Builder task(@Nullable String name, int attempt) {
            this.taskName = name;
            this.attempt = attempt;
            return this;
        }

        /**
         * Whether the outcome is stored in the task's record (not for an {@code ignoreResult} task; always for a
         * quarantined one), and how long the record lives.
         */
        public Builder record(boolean stored, long ttlMillis) {
            this.storeRecord = stored || kind == Kind.QUARANTINED;
            this.recordTtlMillis = ttlMillis;
            return this;
        }

        /** The keys this run gives back. */
        public Builder releasing(Releases releases) {
            this.releases = releases;
            return this;
        }

        /** What the record keeps besides the outcome. */
        public Builder describing(Description description) {
            this.description = description;
            return this;
        }

        public Outcome build() {
            if (recordTtlMillis < 0) {
                throw new IllegalStateException("The outcome of task [" + delivery.taskId() + "] needs its record's "
                        + "time to live: call record(stored, ttlMillis)");
            }
            return new Outcome(this);
        }
    }

    /** The claimed message (and its lease). */
    public Delivery delivery() {
        return delivery;
    }

    /** How it ended. */
    public Kind kind() {
        return kind;
    }

    /** The task name, when the message could be read. */
    public @Nullable String taskName() {
        return taskName;
    }

    /** Whether to store the outcome in the task's record (false for {@code ignoreResult} tasks). */
    public boolean storeRecord() {
        return storeRecord;
    }

    /** How long the record lives. */
    public long recordTtlMillis() {
        return recordTtlMillis;
    }

    /** The result as JSON, when it succeeded and its record is kept. */
    public @Nullable String resultJson() {
        return resultJson;
    }

    /** The error, when it failed, is retried, was revoked or quarantined. */
    public @Nullable TaskError error() {
        return error;
    }

    /** The attempt number of this run, from 1; 0 when it did not run (revoked, quarantined). */
    public int attempt() {
        return attempt;
    }

    /** Why it goes to the dead letters ({@code FAILED} and {@code QUARANTINED}). */
    public @Nullable String deadLetterReason() {
        return deadLetterReason;
    }

    /** The uniqueness key to release now that the task is over, or null. */
    public @Nullable String uniqueKey() {
        return releases.uniqueKey();
    }

    /** The concurrency key whose permit this run held, or null. */
    public @Nullable String permitKey() {
        return releases.permitKey();
    }

    /** For {@code RETRY}: the next attempt's message and when it is due. */
    public @Nullable Retry retry() {
        return retry;
    }

    /** The task's arguments as JSON (cut short), for its record, or null. */
    public @Nullable String argumentsJson() {
        return description.argumentsJson();
    }

    /** In a workflow, the task whose end submitted this one, for its record, or null. */
    public @Nullable String parentId() {
        return description.parentId();
    }

    /** How long the handler ran (its record's start time is the end minus that), or -1. */
    public long ranForMillis() {
        return description.ranForMillis();
    }

    /** When the task was submitted (its message's creation time), for its record, or -1. */
    public long submittedAtMillis() {
        return description.submittedAtMillis();
    }

    /** Its message's headers, workflow root and children, for its record's {@code ctx} field, or null. */
    public @Nullable String contextJson() {
        return description.contextJson();
    }

    /** Whether the task is over (its uniqueness key is released): anything but a retry. */
    public boolean isFinal() {
        return kind != Kind.RETRY;
    }

    @Override
    public String toString() {
        return "Outcome[" + kind + " of " + taskName + " [" + delivery.taskId() + "] from queue '" + delivery.queue()
                + "', attempt " + attempt + (storeRecord ? ", recorded" : "") + "]";
    }
}
