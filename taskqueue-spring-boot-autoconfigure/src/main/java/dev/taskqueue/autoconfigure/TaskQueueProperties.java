package dev.taskqueue.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.RateLimit;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.worker.WorkerSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

// Longer than the ~600 lines we aim for: one class binds taskqueue.*, its groups nested in it, as Boot's own
// properties classes do; each field is a property with its one-sentence Javadoc.
/**
 * Configuration of taskqueue, under {@code taskqueue.*}. Where the Redis server is stays Spring's business
 * ({@code spring.data.redis.*}). Every default equals the engine's matching {@code DEFAULT_*} constant.
 *
 * <p>It validates itself as Boot binds it (Boot runs the {@link Validator} a properties object is): the values
 * taskqueue parses (queue names, the rate limit, the lag status) are checked then, so that a wrong one fails the
 * startup with Boot's report naming the property, the value, where it was set and what is valid, instead of
 * misbehaving later. Enum-like properties are enums, which Boot's binding checks by itself.
 */
@ConfigurationProperties("taskqueue")
public class TaskQueueProperties implements Validator {

    /** Where tasks wait: Redis, or nowhere (run inline in the submitting thread, for unit tests). */
    private BrokerType broker = BrokerType.REDIS;

    /** Prefix of every Redis key taskqueue creates, so that several applications can share one Redis. */
    private String keyPrefix = RedisStores.DEFAULT_KEY_PREFIX;

    /** Queue of tasks whose @Task declares none. */
    private String defaultQueue = "default";

    /** How long results, errors and states of tasks are kept. */
    private Duration resultTtl = Duration.ofDays(1);

    /** Largest encoded task message accepted by submit (larger payloads belong in an object store). */
    private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

    /**
     * Most tasks one workflow (chain, group, chord, with their links) may hold: a submit beyond it is refused, since
     * the whole workflow is built in memory and a chord's callback receives every result at once.
     */
    private int maxWorkflowTasks = ClientSettings.DEFAULT_MAX_WORKFLOW_TASKS;

    /** Largest result kept, as JSON: a task whose result is larger fails, and is not retried. */
    private DataSize maxResultSize = DataSize.ofMegabytes(1);

    /** Longest error message, progress message or dead letter reason kept from a task (the rest is cut). */
    private DataSize maxTextSize = DataSize.ofKilobytes(4);

    /** Longest stack trace kept with a failed task (the rest is cut). */
    private DataSize maxStackTraceSize = DataSize.ofKilobytes(16);

    /** How many dead letters each queue keeps, and for how long. */
    private final DeadLetters deadLetters = new DeadLetters();

    /** How tasks are submitted: replicas to wait for, tasks of unknown names. */
    private final Submit submit = new Submit();

    /** How tasks are retried when neither their call nor their @Task(retry) says. */
    private final Retry retry = new Retry();

    /** How long tasks may run when neither their call nor their @Task(timeLimit) says. */
    private final TimeLimit timeLimit = new TimeLimit();

    /** Rate limit of each task that sets none, such as 100/s (starts per period across all workers); none when unset. */
    private @Nullable String rateLimit;

    /** Most runs at once of each task that sets none, across all workers; none when unset. */
    private @Nullable Integer concurrencyLimit;

    /** How long after submission a task that is not started expires, when its call sets none; never when unset. */
    private @Nullable Duration expiresIn;

    /** The worker that runs this application's tasks. */
    private final Worker worker = new Worker();

    /** The throwaway Redis started for development when none is configured. */
    private final EmbeddedRedis embeddedRedis = new EmbeddedRedis();

    /** When the taskqueue health component reports a problem. */
    private final Health health = new Health();

    /** Task lifecycle events: Spring application events and the cluster-wide Redis stream. */
    private final Events events = new Events();

    /** Taskqueue's Micrometer meters. */
    private final Metrics metrics = new Metrics();

    /** The task history that workers keep in Redis: counts per minute and hour, for the dashboard's charts. */
    private final History history = new History();

    public BrokerType getBroker() {
        return this.broker;
    }

    public void setBroker(BrokerType broker) {
        this.broker = broker;
    }

    public String getKeyPrefix() {
        return this.keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public String getDefaultQueue() {
        return this.defaultQueue;
    }

    public void setDefaultQueue(String defaultQueue) {
        this.defaultQueue = defaultQueue;
    }

    public Duration getResultTtl() {
        return this.resultTtl;
    }

    public void setResultTtl(Duration resultTtl) {
        this.resultTtl = resultTtl;
    }

    public DataSize getMaxPayloadSize() {
        return this.maxPayloadSize;
    }

    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    public int getMaxWorkflowTasks() {
        return this.maxWorkflowTasks;
    }

    public void setMaxWorkflowTasks(int maxWorkflowTasks) {
        this.maxWorkflowTasks = maxWorkflowTasks;
    }

    public DataSize getMaxResultSize() {
        return this.maxResultSize;
    }

    public void setMaxResultSize(DataSize maxResultSize) {
        this.maxResultSize = maxResultSize;
    }

    public DataSize getMaxTextSize() {
        return this.maxTextSize;
    }

    public void setMaxTextSize(DataSize maxTextSize) {
        this.maxTextSize = maxTextSize;
    }

    public DataSize getMaxStackTraceSize() {
        return this.maxStackTraceSize;
    }

    public void setMaxStackTraceSize(DataSize maxStackTraceSize) {
        this.maxStackTraceSize = maxStackTraceSize;
    }

    public DeadLetters getDeadLetters() {
        return this.deadLetters;
    }

    public Submit getSubmit() {
        return this.submit;
    }

    public Retry getRetry() {
        return this.retry;
    }

    public TimeLimit getTimeLimit() {
        return this.timeLimit;
    }

    public @Nullable String getRateLimit() {
        return this.rateLimit;
    }

    public void setRateLimit(@Nullable String rateLimit) {
        this.rateLimit = rateLimit;
    }

    public @Nullable Integer getConcurrencyLimit() {
        return this.concurrencyLimit;
    }

    public void setConcurrencyLimit(@Nullable Integer concurrencyLimit) {
        this.concurrencyLimit = concurrencyLimit;
    }

    public @Nullable Duration getExpiresIn() {
        return this.expiresIn;
    }

    public void setExpiresIn(@Nullable Duration expiresIn) {
        this.expiresIn = expiresIn;
    }

    public Worker getWorker() {
        return this.worker;
    }

    public EmbeddedRedis getEmbeddedRedis() {
        return this.embeddedRedis;
    }

    public Health getHealth() {
        return this.health;
    }

    public Events getEvents() {
        return this.events;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public History getHistory() {
        return this.history;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == TaskQueueProperties.class || type == Worker.class || type == Health.class
                || type == DeadLetters.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof TaskQueueProperties properties) {
            PropertyChecks.check(errors, "defaultQueue", properties.defaultQueue, TaskDeclarations::checkQueueName);
            PropertyChecks.check(errors, "maxPayloadSize", properties.maxPayloadSize, PropertyChecks::bytes);
            PropertyChecks.check(errors, "maxResultSize", properties.maxResultSize, PropertyChecks::bytes);
            PropertyChecks.check(errors, "maxTextSize", properties.maxTextSize, PropertyChecks::bytes);
            PropertyChecks.check(errors, "maxStackTraceSize", properties.maxStackTraceSize, PropertyChecks::bytes);
            PropertyChecks.check(errors, "rateLimit", properties.rateLimit, limit -> {
                if (!limit.isBlank()) { // unset
                    RateLimit.parse(limit);
                }
            });
        }
        else if (target instanceof Worker worker) {
            worker.queues.forEach(entry -> PropertyChecks.check(errors, "queues", entry,
                    PropertyChecks::weightedQueue));
        }
        else if (target instanceof DeadLetters deadLetters) {
            PropertyChecks.check(errors, "maxQuarantinedSize", deadLetters.maxQuarantinedSize, PropertyChecks::bytes);
        }
        else if (target instanceof Health health) {
            PropertyChecks.check(errors, "lagStatus", health.lagStatus, PropertyChecks::healthStatus);
        }
    }

    /** Where tasks wait. */
    public enum BrokerType {

        /** Redis, through Spring's Lettuce connection factory: the production choice. */
        REDIS,

        /** No queue and no worker: submit runs the task in the caller's thread (Celery's task_always_eager). */
        INLINE
    }

    /** How many dead letters each queue keeps, and for how long. */
    public static class DeadLetters {

        /** Most dead letters kept per queue (approximately: Redis trims whole stream nodes). */
        private long maxLength = 10_000;

        /** Age after which a dead letter is removed. */
        private Duration maxAge = Duration.ofDays(7);

        /** Most of an unreadable (quarantined) message kept in its dead letter (the rest: a marker with its size). */
        private DataSize maxQuarantinedSize = DataSize.ofKilobytes(64);

        public long getMaxLength() {
            return this.maxLength;
        }

        public void setMaxLength(long maxLength) {
            this.maxLength = maxLength;
        }

        public Duration getMaxAge() {
            return this.maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        public DataSize getMaxQuarantinedSize() {
            return this.maxQuarantinedSize;
        }

        public void setMaxQuarantinedSize(DataSize maxQuarantinedSize) {
            this.maxQuarantinedSize = maxQuarantinedSize;
        }
    }

    /** Waits between attempts: the first one, how each grows, the longest. */
    public abstract static class Backoff {

        /** The wait before the first retry. */
        private Duration delay;

        /** Each wait is the previous one times this (1: a fixed delay). */
        private double multiplier;

        /** The longest wait between two attempts. */
        private Duration maxDelay;

        Backoff(Duration delay, double multiplier, Duration maxDelay) {
            this.delay = delay;
            this.multiplier = multiplier;
            this.maxDelay = maxDelay;
        }

        public Duration getDelay() {
            return this.delay;
        }

        public void setDelay(Duration delay) {
            this.delay = delay;
        }

        public double getMultiplier() {
            return this.multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxDelay() {
            return this.maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }
    }

    /** How tasks are retried when neither their call nor their @Task(retry) says. */
    public static class Retry extends Backoff {

        /**
         * How many times a failed task is retried after its first attempt. Unset: errors are not retried (0), and a
         * task that asks for a retry itself (TaskContext.retry) may do so 3 times; set, it bounds both.
         */
        private @Nullable Integer maxRetries;

        /** A random amount up to this added to or removed from each wait, so that retries do not align. */
        private Duration jitter = Duration.ZERO;

        public Retry() {
            super(RetryPolicy.DEFAULT_DELAY, RetryPolicy.DEFAULT_MULTIPLIER, RetryPolicy.DEFAULT_MAX_DELAY);
        }

        public @Nullable Integer getMaxRetries() {
            return this.maxRetries;
        }

        public void setMaxRetries(@Nullable Integer maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getJitter() {
            return this.jitter;
        }

        public void setJitter(Duration jitter) {
            this.jitter = jitter;
        }
    }

    /** How long tasks may run when neither their call nor their @Task(timeLimit) says. */
    public static class TimeLimit {

        /** After this long the task's thread is interrupted so that it can stop cleanly; none when unset. */
        private @Nullable Duration soft;

        /** After this long the worker gives up on the task (fails or retries it) and frees its slot; none when unset. */
        private @Nullable Duration hard;

        public @Nullable Duration getSoft() {
            return this.soft;
        }

        public void setSoft(@Nullable Duration soft) {
            this.soft = soft;
        }

        public @Nullable Duration getHard() {
            return this.hard;
        }

        public void setHard(@Nullable Duration hard) {
            this.hard = hard;
        }
    }

    /** How tasks are submitted: replicas to wait for, tasks of unknown names. */
    public static class Submit {

        /** Replicas that must confirm a submit (Redis WAIT) before it returns; 0 returns once the primary has it. */
        private int replicas = 0;

        /** How long a submit waits for the replicas before it throws ReplicationException. */
        private Duration replicaTimeout = Duration.ofSeconds(1);

        /**
         * Whether a task submitted by a name that neither this application declares nor any worker has published
         * to the task catalog is sent (to the default queue, for workers deployed later) instead of refused with
         * UnknownTaskException.
         */
        private boolean allowUnknownTasks = false;

        /** How a submit that Redis did not store is tried again. */
        private final Retry retry = new Retry();

        /**
         * How a submit made inside a Spring-managed transaction goes with it: after-commit (sent when it commits,
         * dropped when it rolls back), outbox (written to the outbox table in the transaction, then relayed to Redis:
         * survives a crash) or immediate (sent at once). A call's TaskOptions.transactionMode wins.
         */
        private TransactionMode transactions = TransactionMode.AFTER_COMMIT;

        public TransactionMode getTransactions() {
            return this.transactions;
        }

        public void setTransactions(TransactionMode transactions) {
            this.transactions = transactions;
        }

        public int getReplicas() {
            return this.replicas;
        }

        public void setReplicas(int replicas) {
            this.replicas = replicas;
        }

        public Duration getReplicaTimeout() {
            return this.replicaTimeout;
        }

        public void setReplicaTimeout(Duration replicaTimeout) {
            this.replicaTimeout = replicaTimeout;
        }

        public boolean isAllowUnknownTasks() {
            return this.allowUnknownTasks;
        }

        public void setAllowUnknownTasks(boolean allowUnknownTasks) {
            this.allowUnknownTasks = allowUnknownTasks;
        }

        public Retry getRetry() {
            return this.retry;
        }

        /**
         * Tries again only where that cannot store a task twice: Redis surely did not run the submit (unreachable,
         * loading, a read-only replica, ...), or every task in it has a caller-chosen id. On by default, as Celery
         * retries publishes, so that a restart or a short failover does not fail submits.
         */
        public static class Retry extends Backoff {

            /** Attempts in all, the first included (1: never try again); by default a submit tries for about 1.4 s. */
            private int maxAttempts = SubmitRetry.DEFAULT_MAX_ATTEMPTS;

            public Retry() {
                super(SubmitRetry.DEFAULT_DELAY, SubmitRetry.DEFAULT_MULTIPLIER, SubmitRetry.DEFAULT_MAX_DELAY);
            }

            public int getMaxAttempts() {
                return this.maxAttempts;
            }

            public void setMaxAttempts(int maxAttempts) {
                this.maxAttempts = maxAttempts;
            }
        }
    }

    /** The worker that runs this application's tasks. */
    public static class Worker {

        /** Whether to run a worker in this application (false: it only submits tasks). */
        private boolean enabled = true;

        /**
         * Queues to consume, in order, each as "name" or "name:weight"; when empty, the default queue and every
         * queue declared by this application's @Task methods.
         */
        private List<String> queues = new ArrayList<>();

        /** Whether to drain queues strictly in the listed order rather than by weight. */
        private boolean strictOrder = false;

        /**
         * Tasks run at once: when set, a fixed number (a bound that protects a database pool, say) unless
         * max-concurrency or adaptive-concurrency=true is set too, which make it the floor that concurrency adapts
         * up from; when unset, concurrency adapts from 16.
         */
        private @Nullable Integer concurrency;

        /**
         * Most tasks run at once as concurrency adapts to the tasks seen (short tasks with a backlog get more slots,
         * long ones go back to the floor); setting it keeps adaptation on; when unset, 256.
         */
        private @Nullable Integer maxConcurrency;

        /**
         * Whether concurrency adapts to the tasks seen, between concurrency and max-concurrency; when unset, it does
         * unless concurrency alone is set.
         */
        private @Nullable Boolean adaptiveConcurrency;

        /** How long a stopping worker waits for running tasks before handing them back to their queues. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        /** How often the worker proves it is alive and extends the leases of its running tasks. */
        private Duration heartbeatInterval = Duration.ofSeconds(1);

        /** How long a silent worker is still considered alive; after that its tasks run elsewhere. */
        private Duration livenessTimeout = Duration.ofSeconds(5);

        /**
         * How long a claimed task whose lease is not extended stays with its worker before it is taken back (the
         * heartbeat extends the leases of running tasks; only a lease the worker lost track of lapses).
         */
        private Duration visibilityTimeout = Duration.ofSeconds(30);

        /**
         * Deliveries without an outcome (the workers died) after which a task goes to the dead letters, failed
         * without running again.
         */
        private int maxDeliveries = 5;

        /** How long one blocking wait for tasks lasts before it is renewed. */
        private Duration pollTimeout = Duration.ofSeconds(2);

        /** Whether tasks run on virtual threads (Java 21 and later; ignored before). */
        private boolean virtualThreads = true;

        /**
         * Whether the running worker keeps the JVM alive, so that an application without a web server runs its
         * worker until it is stopped (its threads are daemons); false lets such an application exit when its main
         * method returns, with the worker stopped, as a command-line application that also runs tasks would.
         */
        private boolean keepAlive = true;

        /**
         * Whether the worker starts with the application. When false it waits until started through the
         * TaskQueueWorkerLifecycle bean (the test kit does so to run pending tasks when a test asks).
         */
        private boolean autoStartup = true;

        /**
         * What the worker does after a fatal error in one of its threads, such as an OutOfMemoryError: either way it
         * stops claiming and heartbeating at once, so that other workers run its tasks. STOP: the application goes on
         * without it (its health is DOWN). EXIT: the JVM exits with status 70, for its supervisor to start it again.
         */
        private WorkerSettings.OnFatalError onFatalError = WorkerSettings.OnFatalError.STOP;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getQueues() {
            return this.queues;
        }

        public void setQueues(List<String> queues) {
            this.queues = queues;
        }

        public boolean isStrictOrder() {
            return this.strictOrder;
        }

        public void setStrictOrder(boolean strictOrder) {
            this.strictOrder = strictOrder;
        }

        public @Nullable Integer getConcurrency() {
            return this.concurrency;
        }

        public void setConcurrency(@Nullable Integer concurrency) {
            this.concurrency = concurrency;
        }

        public @Nullable Integer getMaxConcurrency() {
            return this.maxConcurrency;
        }

        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public @Nullable Boolean getAdaptiveConcurrency() {
            return this.adaptiveConcurrency;
        }

        public void setAdaptiveConcurrency(@Nullable Boolean adaptiveConcurrency) {
            this.adaptiveConcurrency = adaptiveConcurrency;
        }

        public Duration getShutdownTimeout() {
            return this.shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public Duration getHeartbeatInterval() {
            return this.heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        public Duration getLivenessTimeout() {
            return this.livenessTimeout;
        }

        public void setLivenessTimeout(Duration livenessTimeout) {
            this.livenessTimeout = livenessTimeout;
        }

        public Duration getVisibilityTimeout() {
            return this.visibilityTimeout;
        }

        public void setVisibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = visibilityTimeout;
        }

        public int getMaxDeliveries() {
            return this.maxDeliveries;
        }

        public void setMaxDeliveries(int maxDeliveries) {
            this.maxDeliveries = maxDeliveries;
        }

        public Duration getPollTimeout() {
            return this.pollTimeout;
        }

        public void setPollTimeout(Duration pollTimeout) {
            this.pollTimeout = pollTimeout;
        }

        public boolean isVirtualThreads() {
            return this.virtualThreads;
        }

        public void setVirtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
        }

        public boolean isKeepAlive() {
            return this.keepAlive;
        }

        public void setKeepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        public boolean isAutoStartup() {
            return this.autoStartup;
        }

        public void setAutoStartup(boolean autoStartup) {
            this.autoStartup = autoStartup;
        }

        public WorkerSettings.OnFatalError getOnFatalError() {
            return this.onFatalError;
        }

        public void setOnFatalError(WorkerSettings.OnFatalError onFatalError) {
            this.onFatalError = onFatalError;
        }
    }

    /** The development Redis started when no Redis is configured. */
    public static class EmbeddedRedis {

        /**
         * Whether to start a throwaway Redis on 127.0.0.1 when none is configured and nothing listens on
         * localhost:6379 (needs org.signal:embedded-redis on the class path; for development only).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** When the taskqueue health component reports a problem. */
    public static class Health {

        /**
         * Age of a queue's oldest pending task above which the health component reports the lag status, for
         * every queue without a threshold of its own; no threshold when unset.
         */
        private @Nullable Duration maxQueueLag;

        /**
         * Health status reported while a queue lags: OUT_OF_SERVICE (takes the instance out of readiness), DOWN,
         * UP (only names the lagging queues), UNKNOWN, or a status listed in management.endpoint.health.status.order.
         */
        private String lagStatus = "OUT_OF_SERVICE";

        /** Thresholds of single queues, by queue name; they win over max-queue-lag. */
        private Map<String, QueueHealth> queues = new LinkedHashMap<>();

        public @Nullable Duration getMaxQueueLag() {
            return this.maxQueueLag;
        }

        public void setMaxQueueLag(@Nullable Duration maxQueueLag) {
            this.maxQueueLag = maxQueueLag;
        }

        public String getLagStatus() {
            return this.lagStatus;
        }

        public void setLagStatus(String lagStatus) {
            this.lagStatus = lagStatus;
        }

        public Map<String, QueueHealth> getQueues() {
            return this.queues;
        }

        public void setQueues(Map<String, QueueHealth> queues) {
            this.queues = queues;
        }
    }

    /** The health threshold of one queue. */
    public static class QueueHealth {

        /** Age of the queue's oldest pending task above which the health component reports the lag status. */
        private @Nullable Duration maxLag;

        public @Nullable Duration getMaxLag() {
            return this.maxLag;
        }

        public void setMaxLag(@Nullable Duration maxLag) {
            this.maxLag = maxLag;
        }
    }

    /** Task lifecycle events: Spring application events and the cluster-wide Redis stream. */
    public static class Events {

        /**
         * Whether to publish each task event (sent, received, started, succeeded, failed, retried, revoked) as a
         * Spring application event in the instance where it happens.
         */
        private boolean publish = true;

        /** The Redis stream that collects the events of every instance. */
        private final Stream stream = new Stream();

        public boolean isPublish() {
            return this.publish;
        }

        public void setPublish(boolean publish) {
            this.publish = publish;
        }

        public Stream getStream() {
            return this.stream;
        }
    }

    /** The Redis stream that collects the task events of every instance. */
    public static class Stream {

        /** Whether to append every task event of this instance to the Redis stream {prefix}:events. */
        private boolean enabled = false;

        /** About how many events the stream keeps (older ones are trimmed). */
        private long maxLength = 10_000;

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public long getMaxLength() {
            return this.maxLength;
        }

        public void setMaxLength(long maxLength) {
            this.maxLength = maxLength;
        }
    }

    /** Taskqueue's Micrometer meters. */
    public static class Metrics {

        /**
         * How long one reading of every queue's counts (and of the workers, chords and schedules' ticks) serves the
         * gauges, however often they are scraped (read in the background: a scrape does not wait for it).
         */
        private Duration queueStatsTtl = Duration.ofSeconds(5);

        /**
         * How long an open chord may go without one of its header tasks reporting before the
         * taskqueue.chords{state=stalled} gauge counts it.
         */
        private Duration chordStalledAfter = Duration.ofMinutes(15);

        public Duration getQueueStatsTtl() {
            return this.queueStatsTtl;
        }

        public void setQueueStatsTtl(Duration queueStatsTtl) {
            this.queueStatsTtl = queueStatsTtl;
        }

        public Duration getChordStalledAfter() {
            return this.chordStalledAfter;
        }

        public void setChordStalledAfter(Duration chordStalledAfter) {
            this.chordStalledAfter = chordStalledAfter;
        }
    }

    /** The task history that workers keep in Redis (counts of finished tasks per minute and per hour). */
    public static class History {

        /** Whether this application's worker adds the tasks it runs to the task history in Redis. */
        private boolean enabled = true;

        /** How long the history keeps its per-minute counts. */
        private Duration minutesRetention = Duration.ofHours(48);

        /** How long the history keeps its per-hour counts. */
        private Duration hoursRetention = Duration.ofDays(30);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMinutesRetention() {
            return this.minutesRetention;
        }

        public void setMinutesRetention(Duration minutesRetention) {
            this.minutesRetention = minutesRetention;
        }

        public Duration getHoursRetention() {
            return this.hoursRetention;
        }

        public void setHoursRetention(Duration hoursRetention) {
            this.hoursRetention = hoursRetention;
        }
    }
}
