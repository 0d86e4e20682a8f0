package dev.taskqueue.redis;

import java.time.Duration;

import dev.taskqueue.internal.Defaults;

/**
 * Every store of taskqueue on one Redis, built over one set of connections and one key prefix, each for its own
 * consumers:
 * <ul>
 * <li>{@link #broker()}: producers' and workers' path (submit, claim, leases, acknowledge, promote, recover);</li>
 * <li>{@link #admin()}: what operators read and do (queues, counts, workers, dead letters, pauses, revocations);</li>
 * <li>{@link #results()}, {@link #workflows()}, {@link #schedules()}, {@link #catalog()}: task records, workflow
 * state, schedule state, the task catalog;</li>
 * <li>{@link #browser()}, {@link #history()}: what a dashboard reads of the tasks, page by page, and their counts
 * over time.</li>
 * </ul>
 * They are built together because they share what this instance knows of the queues: a pause made through the
 * admin leaves the broker's blocking reads at once, a revocation makes its reads check for revoked tasks, and all of
 * them know the same queue names. Each store's Javadoc shows the commands it issues; {@link RedisBroker}'s shows
 * the layout of a queue.
 * <pre>
 * try (RedisStores stores = new RedisStores(connections, "taskqueue")) {
 *     TaskClient client = new DefaultTaskClient(stores.broker(), stores.results(), stores.workflows(),
 *             stores.admin(), registry, codec, ClientSettings.DEFAULTS, listener, Clock.systemUTC());
 *     ...
 * }
 * </pre>
 */
public final class RedisStores implements AutoCloseable {

    /** The prefix of every key when none is configured. */
    public static final String DEFAULT_KEY_PREFIX = "taskqueue";

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;
    private final RedisBroker broker;
    private final RedisQueueAdmin admin;
    private final RedisWorkflows workflows;
    private final RedisSchedules schedules;
    private final RedisCatalog catalog;
    private final RedisResultBackend results;
    private final RedisQueueBrowser browser;
    private final RedisTaskHistory history;

    /**
     * How the stores behave where an application may choose.
     *
     * @param deadLetters how long and how many dead letters a queue keeps
     * @param durability how many replicas must confirm a submit
     * @param submitRetry how a submit Redis did not store is tried again
     * @param resultTtl how long a record created by a waiter (before its task started) lives
     */
    public record Options(DeadLetterPolicy deadLetters, Durability durability, SubmitRetry submitRetry,
            Duration resultTtl) {

        /**
         * 10,000 dead letters per queue for 7 days, submits confirmed by the primary in up to 4 attempts, records for
         * a day.
         */
        public static final Options DEFAULTS = new Options(DeadLetterPolicy.DEFAULT, Durability.PRIMARY,
                SubmitRetry.DEFAULT, Defaults.RESULT_TTL);

        public Options withDeadLetters(DeadLetterPolicy deadLetters) {
            return new Options(deadLetters, durability, submitRetry, resultTtl);
        }

        public Options withDurability(Durability durability) {
            return new Options(deadLetters, durability, submitRetry, resultTtl);
        }

        public Options withSubmitRetry(SubmitRetry submitRetry) {
            return new Options(deadLetters, durability, submitRetry, resultTtl);
        }

        public Options withResultTtl(Duration resultTtl) {
            return new Options(deadLetters, durability, submitRetry, resultTtl);
        }
    }

    /**
     * How long and how many dead letters a queue keeps, and how much of a message that cannot be read.
     *
     * @param maxLength at most this many (approximately: trimmed by whole stream nodes)
     * @param maxAge none older than this
     * @param maxQuarantinedSize the bytes kept of a message that cannot be read (quarantined): the rest is replaced
     *        by a marker that says its size
     */
    public record DeadLetterPolicy(long maxLength, Duration maxAge, int maxQuarantinedSize) {

        /**
         * 64 KiB: enough to see what a message that cannot be read is, and to requeue most once a worker can read
         * them; not a hundred megabytes kept for a week.
         */
        public static final int DEFAULT_MAX_QUARANTINED_SIZE = 64 * 1024;

        /** 10,000 per queue, for 7 days, quarantined messages cut to 64 KiB. */
        public static final DeadLetterPolicy DEFAULT = new DeadLetterPolicy(10_000, Duration.ofDays(7));

        /** Quarantined messages cut to {@link #DEFAULT_MAX_QUARANTINED_SIZE}. */
        public DeadLetterPolicy(long maxLength, Duration maxAge) {
            this(maxLength, maxAge, DEFAULT_MAX_QUARANTINED_SIZE);
        }

        public DeadLetterPolicy {
            if (maxQuarantinedSize <= 0) {
                throw new IllegalArgumentException("maxQuarantinedSize must be positive, got " + maxQuarantinedSize);
            }
        }
    }

    /**
     * How many replicas must confirm a submit ({@code WAIT}) before it returns.
     *
     * @param replicas replicas that must acknowledge; 0 to wait for none
     * @param timeout how long to wait for them
     */
    public record Durability(int replicas, Duration timeout) {

        /** Return once the primary has the task. */
        public static final Durability PRIMARY = new Durability(0, Duration.ZERO);
    }

    /** The stores of {@code keyPrefix}, with {@link Options#DEFAULTS}. */
    public RedisStores(RedisConnections redis, String keyPrefix) {
        this(redis, keyPrefix, Options.DEFAULTS);
    }

    /**
     * @param redis the connections every store uses (closed by their owner, not by {@link #close()})
     * @param keyPrefix the prefix of every key, free of braces
     */
    public RedisStores(RedisConnections redis, String keyPrefix, Options options) {
        this.redis = redis;
        this.keys = new RedisKeys(keyPrefix);
        this.queueNames = new RedisQueueNames(redis, keys, RedisBroker.QUEUE_RETENTION);
        RedisPauses pauses = new RedisPauses(redis, keys);
        RedisRevocations revocations = new RedisRevocations(redis, keys, RedisBroker.REVOCATION_MEMORY.toMillis());
        RedisPromotions promotions = new RedisPromotions(redis, keys, options.deadLetters());
        this.workflows = new RedisWorkflows(redis, keys);
        this.broker = new RedisBroker(redis, keys, options, queueNames, pauses, revocations, promotions);
        this.admin = new RedisQueueAdmin(redis, keys, queueNames, pauses, revocations, workflows, promotions);
        this.schedules = new RedisSchedules(redis, keys);
        this.catalog = new RedisCatalog(redis, keys);
        this.results = new RedisResultBackend(redis, keys, queueNames, options.resultTtl(),
                RedisResultBackend.DEFAULT_FIRST_POLL);
        this.browser = new RedisQueueBrowser(redis, keys, queueNames);
        this.history = new RedisTaskHistory(redis, keys);
    }

    /** The producers' and workers' path. */
    public RedisBroker broker() {
        return broker;
    }

    /** What operators read and do. */
    public RedisQueueAdmin admin() {
        return admin;
    }

    /** Task records, and waiting for them. */
    public RedisResultBackend results() {
        return results;
    }

    /** Workflow state: groups, chords, abandoned steps. */
    public RedisWorkflows workflows() {
        return workflows;
    }

    /** Periodic schedules' shared state. */
    public RedisSchedules schedules() {
        return schedules;
    }

    /** The task catalog every worker publishes to. */
    public RedisCatalog catalog() {
        return catalog;
    }

    /** What a dashboard reads of the tasks: listings, a task by id, attempts, failures, running tasks. */
    public RedisQueueBrowser browser() {
        return browser;
    }

    /** The counts of finished tasks per minute and hour, which workers add to. */
    public RedisTaskHistory history() {
        return history;
    }

    /** The prefix of every key. */
    public String keyPrefix() {
        return keys.prefix();
    }

    RedisConnections connections() {
        return redis;
    }

    RedisKeys keys() {
        return keys;
    }

    RedisQueueNames queueNames() {
        return queueNames;
    }

    /**
     * Empties this prefix for the next test as if no task had been submitted, while its workers go on: every queue's
     * waiting and delayed tasks (purged as {@link RedisQueueAdmin#purge} does: a task a worker holds finishes and is
     * recorded), pauses, dead letters, task records, uniqueness keys, limits, revocations, workflows and schedules'
     * state. Kept: the workers' registry and consumer groups, the catalog, the queue names. For tests (the test kit
     * calls it between test methods): never on the keys of a Redis that serves production.
     */
    public void forgetTasks() {
        for (String queue : admin.queues()) {
            admin.purge(queue);
            admin.resume(queue);
        }
        new RedisSweep(redis, keys).forgetTasks();
    }

    /**
     * Deletes every key of this prefix, for a test that is done with it and runs no worker on it any more. Never on
     * the keys of a Redis that serves production.
     */
    public void forgetEverything() {
        new RedisSweep(redis, keys).forgetEverything();
    }

    /**
     * Closes what the stores opened: the broker's connections and subscriptions, the result backend's waiting. The
     * connections they were given stay open.
     */
    @Override
    public void close() {
        results.close();
        broker.close();
    }
}
