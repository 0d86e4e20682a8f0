package dev.taskqueue.worker;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.taskqueue.TaskPolicies;
import dev.taskqueue.internal.Defaults;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;

/**
 * How a worker runs. Immutable; build with {@link #builder()}. Every option has a named default.
 */
public final class WorkerSettings {

    /**
     * Tasks run at once by default: the floor that concurrency adapts up from (see {@link #adaptiveConcurrency()}),
     * or the fixed number when {@link Builder#concurrency(int)} alone is set.
     */
    public static final int DEFAULT_CONCURRENCY = 16;

    /**
     * The ceiling of adaptive concurrency: 256 slots claim 256 short tasks in one round trip, where 16 are
     * round-trip-bound. On virtual threads (Java 21+) an idle slot costs nothing; on platform threads each slot in
     * use has a thread, ended after a minute idle. 64 platform threads were the ceiling on Java 17 until a
     * measurement (no-op drain, 3 alternating runs) showed 256 draining 79,430 → 101,276 tasks/s, JVM CPU per task
     * 14.0 → 11.6 µs: the gain of larger batches goes on past 64.
     */
    public static final int DEFAULT_MAX_CONCURRENCY = 256;

    /** How long a stopping worker waits for running tasks before handing them back. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** How often a worker proves it is alive. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

    /** A worker silent for this long is dead, and its tasks run elsewhere. */
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A claimed task whose lease is not extended for this long is taken back, even from a live worker. A worker's
     * heartbeat extends the leases of the tasks it runs (a quarter of this apart), so only a lease its worker no
     * longer holds lapses: an acknowledgement lost in a failover (it reached only the old master), a claim whose
     * reply never arrived. Short, so that such a task runs again within a minute, not after Celery's hour.
     */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(30);

    /** A task delivered this many times without an outcome (its workers died) goes to the dead letters. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;

    /** How long one blocking wait for tasks lasts before it is renewed. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(2);

    /** How often a worker looks for tasks lost by dead workers. */
    public static final Duration DEFAULT_JANITOR_INTERVAL = Duration.ofSeconds(1);

    /** How long results, errors and states are kept. */
    public static final Duration DEFAULT_RESULT_TTL = Defaults.RESULT_TTL;

    /** The queue consumed when none is configured. */
    public static final String DEFAULT_QUEUE = Defaults.QUEUE;

    /**
     * 1 MiB: the largest result kept, as JSON, like the largest payload; a larger one fails its task (large data
     * belongs in an object store, with a reference in the result).
     */
    public static final int DEFAULT_MAX_RESULT_SIZE = 1024 * 1024;

    /** 4 KiB: the longest error message, progress message or dead letter reason kept from a task. */
    public static final int DEFAULT_MAX_TEXT_SIZE = Defaults.MAX_TEXT_SIZE;

    /** 16 KiB: the longest stack trace kept with a failed task. */
    public static final int DEFAULT_MAX_STACK_TRACE_SIZE = Defaults.MAX_STACK_TRACE_SIZE;

    /**
     * What a worker does after a fatal error in one of its threads (see {@link #DEFAULT_ON_FATAL_ERROR}): either way
     * it stops claiming and heartbeating at once, so that other workers take its tasks within the liveness timeout.
     */
    public enum OnFatalError {

        /** The application goes on without its worker; the worker's state is {@code FAILED} (health DOWN). */
        STOP,

        /** The JVM exits with a non-zero status, for its supervisor (Kubernetes, systemd...) to start it again. */
        EXIT
    }

    /**
     * Stop, not exit: a library does not end the application it runs in unless told to (it may serve other requests
     * well; the error may have been one task's). Its health turns DOWN; a worker-only deployment under a supervisor
     * sets {@link OnFatalError#EXIT}.
     */
    public static final OnFatalError DEFAULT_ON_FATAL_ERROR = OnFatalError.STOP;

    /**
     * Minute buckets of the task history are kept two days: the last hour's and day's charts, and yesterday's at
     * the same hour, at minute detail; about 2,880 small hashes per prefix, each trimmed to 500 task names.
     */
    public static final Duration DEFAULT_HISTORY_MINUTES_RETENTION = Duration.ofHours(48);

    /** Hour buckets are kept 30 days: a month of trends (the week chart and more) for 720 hashes. */
    public static final Duration DEFAULT_HISTORY_HOURS_RETENTION = Duration.ofDays(30);

    /** How often a worker adds its counts to the history: charts lag by at most this; one round trip each time. */
    public static final Duration HISTORY_FLUSH_INTERVAL = Duration.ofSeconds(5);

    private final Map<String, Integer> queues;
    private final boolean strictOrder;
    private final int concurrency;
    private final int maxConcurrency;
    private final Duration shutdownTimeout;
    private final Duration heartbeatInterval;
    private final Duration livenessTimeout;
    private final Duration visibilityTimeout;
    private final int maxDeliveries;
    private final Duration pollTimeout;
    private final Duration janitorInterval;
    private final Duration resultTtl;
    private final int maxResultSize;
    private final int maxTextSize;
    private final int maxStackTraceSize;
    private final boolean virtualThreads;
    private final @Nullable String workerId;
    private final TaskPolicies defaultPolicies;
    private final OnFatalError onFatalError;
    private final boolean history;
    private final Duration historyMinutesRetention;
    private final Duration historyHoursRetention;

    private WorkerSettings(Builder b) {
        this.queues = Collections.unmodifiableMap(new LinkedHashMap<>(b.queues.isEmpty()
                ? Map.of(DEFAULT_QUEUE, 1) : b.queues));
        this.strictOrder = b.strictOrder;
        this.concurrency = positive(b.concurrency, "concurrency");
        this.virtualThreads = b.virtualThreads;
        this.maxConcurrency = maxConcurrency(b, concurrency);
        this.shutdownTimeout = notNegative(b.shutdownTimeout, "shutdownTimeout");
        this.heartbeatInterval = positive(b.heartbeatInterval, "heartbeatInterval");
        this.livenessTimeout = positive(b.livenessTimeout, "livenessTimeout");
        this.visibilityTimeout = positive(b.visibilityTimeout, "visibilityTimeout");
        this.maxDeliveries = positive(b.maxDeliveries, "maxDeliveries");
        this.pollTimeout = positive(b.pollTimeout, "pollTimeout");
        this.janitorInterval = positive(b.janitorInterval, "janitorInterval");
        this.resultTtl = positive(b.resultTtl, "resultTtl");
        this.maxResultSize = positive(b.maxResultSize, "maxResultSize");
        this.maxTextSize = positive(b.maxTextSize, "maxTextSize");
        this.maxStackTraceSize = positive(b.maxStackTraceSize, "maxStackTraceSize");
        this.workerId = b.workerId;
        this.defaultPolicies = b.defaultPolicies;
        this.onFatalError = b.onFatalError;
        this.history = b.history;
        this.historyMinutesRetention = positive(b.historyMinutesRetention, "historyMinutesRetention");
        this.historyHoursRetention = positive(b.historyHoursRetention, "historyHoursRetention");
        if (livenessTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("livenessTimeout (" + livenessTimeout + ") must be at least twice "
                    + "heartbeatInterval (" + heartbeatInterval + "), or live workers would be taken for dead");
        }
        if (visibilityTimeout.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("visibilityTimeout (" + visibilityTimeout + ") must be at least three "
                    + "times heartbeatInterval (" + heartbeatInterval + "), or running tasks would be taken back");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The queues consumed, in order, with their weights. */
    public Map<String, Integer> queues() {
        return queues;
    }

    /** The queue names, in order. */
    public List<String> queueNames() {
        return List.copyOf(queues.keySet());
    }

    /** Whether queues are drained in order (a queue only when those before it are empty), else by weight. */
    public boolean strictOrder() {
        return strictOrder;
    }

    /**
     * The tasks a worker runs at once when it starts: fixed when concurrency does not adapt, else the floor it
     * adapts up from and back down to.
     */
    public int concurrency() {
        return concurrency;
    }

    /** The most tasks a worker runs at once as its concurrency adapts; {@link #concurrency()} when it does not. */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /**
     * Whether the worker's concurrency adapts to the tasks it sees, between {@link #concurrency()} and
     * {@link #maxConcurrency()} (see {@link AdaptiveConcurrency}). By default it does; setting
     * {@link Builder#concurrency(int)} alone fixes it, as a bound that protects what tasks use (a database pool).
     */
    public boolean adaptiveConcurrency() {
        return maxConcurrency > concurrency;
    }

    /**
     * The ceiling: the one set, else the default when concurrency adapts, else the floor. Adaptation is on when
     * asked, or when a ceiling is set, or when no concurrency is set.
     */
    private static int maxConcurrency(Builder b, int floor) {
        boolean adaptive = b.adaptiveConcurrency != null ? b.adaptiveConcurrency
                : b.maxConcurrency != null || !b.concurrencySet;
        if (!adaptive) {
            return floor;
        }
        if (b.maxConcurrency == null) {
            return Math.max(floor, DEFAULT_MAX_CONCURRENCY);
        }
        int ceiling = positive(b.maxConcurrency, "maxConcurrency");
        if (ceiling < floor) {
            throw new IllegalArgumentException("maxConcurrency (" + ceiling + ") must be at least concurrency ("
                    + floor + "), the floor that concurrency adapts up from: raise maxConcurrency or lower "
                    + "concurrency");
        }
        return ceiling;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public Duration livenessTimeout() {
        return livenessTimeout;
    }

    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    public int maxDeliveries() {
        return maxDeliveries;
    }

    public Duration pollTimeout() {
        return pollTimeout;
    }

    public Duration janitorInterval() {
        return janitorInterval;
    }

    /**
     * A silence of every worker longer than this is an outage (Redis down, or every worker paused), not the death
     * of each: three heartbeats missed by all, and at most half the liveness timeout, so that a worker silenced
     * by a shorter outage still heartbeats within its liveness timeout.
     */
    public Duration outageAfter() {
        Duration threeBeats = heartbeatInterval.multipliedBy(3);
        Duration half = livenessTimeout.dividedBy(2);
        return threeBeats.compareTo(half) < 0 ? threeBeats : half;
    }

    /**
     * The longest time between two of this worker's heartbeats that is not a gap in its proof of life: one interval,
     * and a margin for the heartbeat's own round trip and a short pause (half an interval, at least 250 ms).
     */
    long heartbeatGapMillis() {
        long interval = heartbeatInterval.toMillis();
        return interval + Math.max(interval / 2, 250);
    }

    public Duration resultTtl() {
        return resultTtl;
    }

    /** Whether the worker adds what it runs to the cluster's task history (counts per minute and hour). */
    public boolean history() {
        return history;
    }

    /** How long the history's minute buckets are kept. */
    public Duration historyMinutesRetention() {
        return historyMinutesRetention;
    }

    /** How long the history's hour buckets are kept. */
    public Duration historyHoursRetention() {
        return historyHoursRetention;
    }

    /** The largest result kept, in bytes of JSON: a task whose result is larger fails, not retried. */
    public int maxResultSize() {
        return maxResultSize;
    }

    /**
     * The longest text kept from a task, in bytes (UTF-8): an error message, a progress message, a dead letter's
     * reason. A longer one keeps its start and ends with a marker that says how long it was.
     */
    public int maxTextSize() {
        return maxTextSize;
    }

    /** The longest stack trace kept with a failed task, in bytes (UTF-8), cut as {@link #maxTextSize()} says. */
    public int maxStackTraceSize() {
        return maxStackTraceSize;
    }

    /** Whether tasks run on virtual threads (Java 21+; ignored before). */
    public boolean virtualThreads() {
        return virtualThreads;
    }

    /** A fixed worker id, or null for a generated one ({@code host-pid-random}). */
    public @Nullable String workerId() {
        return workerId;
    }

    /** The policies of tasks that set none, for whatever their call and declaration leave unset. */
    public TaskPolicies defaultPolicies() {
        return defaultPolicies;
    }

    /** What the worker does after a fatal error in one of its threads, such as an {@link OutOfMemoryError}. */
    public OnFatalError onFatalError() {
        return onFatalError;
    }

    private static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration notNegative(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /** Builds {@link WorkerSettings}; unset options keep their {@code DEFAULT_*} value. */
    public static final class Builder {

        private final Map<String, Integer> queues = new LinkedHashMap<>();
        private boolean strictOrder;
        private int concurrency = DEFAULT_CONCURRENCY;
        private boolean concurrencySet;
        private @Nullable Integer maxConcurrency;
        private @Nullable Boolean adaptiveConcurrency;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration livenessTimeout = DEFAULT_LIVENESS_TIMEOUT;
        private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        private int maxDeliveries = DEFAULT_MAX_DELIVERIES;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration janitorInterval = DEFAULT_JANITOR_INTERVAL;
        private Duration resultTtl = DEFAULT_RESULT_TTL;
        private int maxResultSize = DEFAULT_MAX_RESULT_SIZE;
        private int maxTextSize = DEFAULT_MAX_TEXT_SIZE;
        private int maxStackTraceSize = DEFAULT_MAX_STACK_TRACE_SIZE;
        private boolean virtualThreads = true;
        private @Nullable String workerId;
        private TaskPolicies defaultPolicies = TaskPolicies.NONE;
        private OnFatalError onFatalError = DEFAULT_ON_FATAL_ERROR;
        private boolean history = true;
        private Duration historyMinutesRetention = DEFAULT_HISTORY_MINUTES_RETENTION;
        private Duration historyHoursRetention = DEFAULT_HISTORY_HOURS_RETENTION;

        private Builder() {
        }

        /** Consumes this queue with weight 1. Without any, the worker consumes {@value #DEFAULT_QUEUE}. */
        public Builder queue(String name) {
            return queue(name, 1);
        }

        /** Consumes this queue; with weights, a queue of weight 3 is tried first three times as often as one of 1. */
        public Builder queue(String name, int weight) {
            TaskDeclarations.checkQueueName(name);
            queues.put(name, positive(weight, "weight of queue '" + name + "'"));
            return this;
        }

        /**
         * Does not consume this queue after all (another transport serves it, such as Celery's); without any queue
         * left, the worker consumes {@value #DEFAULT_QUEUE}.
         */
        public Builder withoutQueue(String name) {
            queues.remove(name);
            return this;
        }

        public Builder strictOrder(boolean strictOrder) {
            this.strictOrder = strictOrder;
            return this;
        }

        /**
         * The tasks run at once. Set alone, it is fixed: the worker never runs more, whatever tasks it sees (a bound
         * that protects a database pool or an API). With {@link #maxConcurrency(int)} or
         * {@code adaptiveConcurrency(true)}, it is the floor that concurrency adapts up from instead. Unset:
         * {@value #DEFAULT_CONCURRENCY}, adapting.
         */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            this.concurrencySet = true;
            return this;
        }

        /**
         * The most tasks run at once as concurrency adapts to the tasks seen (setting it keeps adaptation on, with
         * {@link #concurrency(int)} as the floor). Unset: {@value #DEFAULT_MAX_CONCURRENCY}.
         */
        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /**
         * Whether concurrency adapts to the tasks seen, between {@link #concurrency(int)} and
         * {@link #maxConcurrency(int)}. Unset: it does, unless {@link #concurrency(int)} alone is set.
         */
        public Builder adaptiveConcurrency(boolean adaptiveConcurrency) {
            this.adaptiveConcurrency = adaptiveConcurrency;
            return this;
        }

        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout);
            return this;
        }

        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval);
            return this;
        }

        public Builder livenessTimeout(Duration livenessTimeout) {
            this.livenessTimeout = Objects.requireNonNull(livenessTimeout);
            return this;
        }

        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = Objects.requireNonNull(visibilityTimeout);
            return this;
        }

        public Builder maxDeliveries(int maxDeliveries) {
            this.maxDeliveries = maxDeliveries;
            return this;
        }

        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Objects.requireNonNull(pollTimeout);
            return this;
        }

        public Builder janitorInterval(Duration janitorInterval) {
            this.janitorInterval = Objects.requireNonNull(janitorInterval);
            return this;
        }

        public Builder resultTtl(Duration resultTtl) {
            this.resultTtl = Objects.requireNonNull(resultTtl);
            return this;
        }

        public Builder maxResultSize(int maxResultSize) {
            this.maxResultSize = maxResultSize;
            return this;
        }

        public Builder maxTextSize(int maxTextSize) {
            this.maxTextSize = maxTextSize;
            return this;
        }

        public Builder maxStackTraceSize(int maxStackTraceSize) {
            this.maxStackTraceSize = maxStackTraceSize;
            return this;
        }

        public Builder virtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
            return this;
        }

        public Builder workerId(@Nullable String workerId) {
            this.workerId = workerId;
            return this;
        }

        /** Policies for whatever a task's call and declaration leave unset ({@code taskqueue.retry.*}...). */
        public Builder defaultPolicies(TaskPolicies defaultPolicies) {
            this.defaultPolicies = Objects.requireNonNull(defaultPolicies);
            return this;
        }

        public Builder onFatalError(OnFatalError onFatalError) {
            this.onFatalError = Objects.requireNonNull(onFatalError);
            return this;
        }

        /** Whether to add counts to the task history (default: true). */
        public Builder history(boolean history) {
            this.history = history;
            return this;
        }

        /** How long the history keeps minute and hour buckets. */
        public Builder historyRetention(Duration minutes, Duration hours) {
            this.historyMinutesRetention = Objects.requireNonNull(minutes);
            this.historyHoursRetention = Objects.requireNonNull(hours);
            return this;
        }

        public WorkerSettings build() {
            return new WorkerSettings(this);
        }
    }
}
