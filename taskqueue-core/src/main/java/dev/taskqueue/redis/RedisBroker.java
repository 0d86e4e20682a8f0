package dev.taskqueue.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.redis.RedisStores.DeadLetterPolicy;
import dev.taskqueue.redis.RedisStores.Durability;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producers' and workers' path on Redis: one object for the client and every part of a worker. Each step of the
 * path is done where its scripts are: marking a task started, recording progress and extending leases here;
 * submitting in {@link RedisSubmits}, claiming in {@link RedisClaims}, promoting delayed tasks in
 * {@link RedisPromotions}, acknowledging in {@link RedisOutcomes}, limits in {@link RedisLimits}, liveness and
 * recovery in {@link RedisRecovery}. What
 * operators read and do is {@link RedisQueueAdmin}'s; both are built by {@link RedisStores}, and only this package
 * issues Redis commands.
 *
 * <h2>Layout</h2> Per queue {@code q}, every key shares the hash tag {@code {taskqueue:q}} (one Cluster slot):
 * <pre>
 * {taskqueue:q}:s:0 .. :s:9   STREAM  ready tasks, one stream per priority; group "workers"
 *                                     XADD {taskqueue:q}:s:0 * i &lt;task id&gt; m &lt;json body&gt; d &lt;deliveries&gt;
 * {taskqueue:q}:s:r           STREAM  tasks handed back or taken back from dead workers; read first
 * {taskqueue:q}:d             ZSET    delayed task ids by due time        ZADD {taskqueue:q}:d 1732400000000 &lt;id&gt;
 * {taskqueue:q}:dp            HASH    delayed id -> priority digit + body HSET {taskqueue:q}:dp &lt;id&gt; 0{"task":..}
 * {taskqueue:q}:t:&lt;id&gt;        HASH    a task's record, with a TTL         HGETALL {taskqueue:q}:t:&lt;id&gt;
 *                                     state, task, worker, submitted, started, finished, attempt, result,
 *                                     error.type, error.message, error.stack, notify (the queue is the key's)
 * {taskqueue:q}:dead          STREAM  dead letters, MAXLEN ~ (count, roughly) and MINID (age, exactly)
 * {taskqueue:q}:retrying      ZSET    the ids of :d waiting for a retry   ZADD {taskqueue:q}:retrying 1732400000000 id
 * {taskqueue:q}:done          STREAM  tasks finished lately (with a record), ~10000: an entry per acknowledging
 *                                     script, t: [[ids], [tasks], [states]] in JSON
 * {taskqueue:q}:failures      STREAM  failed attempts, MAXLEN ~ 10000, MINID 7 days: i, n, s, et, em, w, a, dl
 * {taskqueue:q}:a:&lt;id&gt;        LIST    a task's failed attempts (JSON), the last 16, the record's TTL
 * {taskqueue:q}:revoked       ZSET    revoked task ids by time, + 0.5 when a running one is to be interrupted; the
 *                                     50,000 latest, for the revocation's keep time (RedisRevocations)
 * {taskqueue}:workers         ZSET    worker id by last heartbeat (broker time)
 * {taskqueue}:worker:&lt;id&gt;     HASH    the worker's info, expiring with its liveness
 * {taskqueue}:worker-queues   HASH    worker id -&gt; the queues it consumes   HSET {taskqueue}:worker-queues w1 a,b
 * {taskqueue}:queues          SET     the queues in use
 * {taskqueue}:queue-use       ZSET    queue by last use (broker time)    ZADD {taskqueue}:queue-use 1732400000000 a
 * {taskqueue}:janitor         STRING  PX lock: one worker at a time recovers lost tasks
 * {taskqueue}:h:m:&lt;minute&gt;    HASH    the task history of a minute (and :h:&lt;hour&gt;): RedisTaskHistory
 * </pre>
 * A claim is {@code XREADGROUP}: the stream's pending-entries list records who holds what, atomically. The entry
 * id is the lease: acknowledging ({@code XACK}) succeeds only while the entry is pending, so an outcome from a
 * worker whose task was taken back is refused. Acknowledged entries are deleted (those below the oldest entry still
 * pending by {@code XTRIM MINID}, the others by {@code XDEL}), so streams hold only waiting and running tasks. A pending record (state PENDING or SCHEDULED) exists only for tasks submitted
 * with a caller-chosen id (it makes resubmission idempotent); other tasks get one when they start.
 *
 * <p>A queue unused for {@link #QUEUE_RETENTION} that holds nothing is forgotten: its name, and its empty keys
 * ({@code DEL} of its streams, {@code :d}, {@code :dp}, {@code :dead}, {@code :revoked}); see {@link RedisQueueNames}.
 *
 * <p>Every script declares all its keys in {@code KEYS[]}, all in one slot.
 *
 * <p>Anyone can write into these keys, so everything read back is checked before use (see {@link LuaScript} and
 * {@link RedisValues}). A stream entry without {@code i} or {@code m}, or whose {@code d} is not a whole number, is
 * delivered marked malformed and quarantined by its worker; a due delayed id whose payload is missing or not led by a
 * priority digit is quarantined by the promotion: each alone, as stored, with the reason, in
 * {@code XADD {taskqueue:q}:dead * i <id> m <as stored> reason <why> ...}. Other unreadable values read as absent.
 */
public final class RedisBroker implements Broker {

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final DeadLetterPolicy deadLetters;
    private final RedisRecovery recovery;
    private final RedisOutcomes outcomes;
    private final RedisLimits limits;
    private final RedisRevocations revocations;
    private final RedisPauses pauses;
    private final RedisSubmits submits;
    private final RedisClaims claims;
    private final RedisPromotions promotions;
    private final RedisHistoryWriter history;

    /**
     * Built by {@link RedisStores}, with the pauses and revocations its {@link RedisQueueAdmin} makes, the queue names
     * every store knows, and the promotion of delayed tasks they share.
     */
    RedisBroker(RedisConnections redis, RedisKeys keys, RedisStores.Options options, RedisQueueNames queueNames,
            RedisPauses pauses, RedisRevocations revocations, RedisPromotions promotions) {
        this.redis = redis;
        this.keys = keys;
        this.deadLetters = options.deadLetters();
        this.pauses = pauses;
        this.revocations = revocations;
        this.promotions = promotions;
        this.recovery = new RedisRecovery(redis, keys, queueNames);
        this.outcomes = new RedisOutcomes(redis, keys, deadLetters);
        this.limits = new RedisLimits(redis, keys);
        this.submits = new RedisSubmits(redis, keys, queueNames, options.durability(), options.submitRetry());
        this.claims = new RedisClaims(redis, keys, queueNames, pauses, revocations, recovery);
        this.history = new RedisHistoryWriter(redis, keys);
    }

    /** How long a revocation is remembered: a task revoked and still queued after that would run. */
    public static final Duration REVOCATION_MEMORY = Duration.ofDays(7);

    /**
     * How long a queue is known after its last use (a submit to it, a worker consuming it): then, if it holds nothing
     * (no task, no dead letter, no revocation, not paused), its name and empty keys are forgotten. Each known queue
     * costs the metrics, the health check and the endpoint a read; a week spans any weekly job.
     */
    public static final Duration QUEUE_RETENTION = Duration.ofDays(7);

    /** The key prefix. */
    public String keyPrefix() {
        return keys.prefix();
    }

    /** How many claims read a stream without the claim script so far (for tests). */
    long directReads() {
        return claims.directReads();
    }

    // ------------------------------------------------------------------------------------------ submit

    /**
     * Stores the messages, one script per queue (per slice of a large batch), and returns once Redis (and the
     * replicas {@link Durability} asks for) has them: see {@link RedisSubmits}.
     */
    @Override
    public List<SubmitResult> submit(List<OutgoingMessage> messages) {
        return submits.submit(messages);
    }

    // ------------------------------------------------------------------------------------------ claim

    @Override
    public void declare(Collection<String> queues) {
        claims.declare(queues);
    }

    /** One script per group of queues ({@link RedisClaims}). */
    @Override
    public List<Delivery> claim(String consumer, List<String> queues, int max) {
        return claims.claim(consumer, queues, max);
    }

    /** {@code XREADGROUP ... BLOCK} on a connection of the consumer's own ({@link RedisClaims}). */
    @Override
    public List<Delivery> awaitAndClaim(String consumer, List<String> queues, int max, Duration timeout) {
        return claims.awaitAndClaim(consumer, queues, max, timeout);
    }

    /** One blocking read spans every queue, except on a cluster, where it waits on one queue at a time. */
    @Override
    public boolean awaitsAllAtOnce(int queues) {
        return queues == 1 || !redis.isCluster();
    }

    @Override
    public void wakeUp(String consumer) {
        claims.wakeUp(consumer);
    }

    // ------------------------------------------------------------------------------------------ started

    /*
     * KEYS: task records.   ARGV[1] worker id, then 4 per record: task name, attempt, ttl ms, submission time ms
     * (its message's creation time; 0 = unknown).
     * Sets state STARTED unless the task already finished (a slow notice must not undo an outcome).
     */
    private static final LuaScript MARK_STARTED = new LuaScript("mark-started", """
            local now = now_ms()
            for i, key in ipairs(KEYS) do
              local state = redis.call('HGET', key, 'state')
              if state ~= 'SUCCESS' and state ~= 'FAILURE' and state ~= 'REVOKED' then
                local b = 1 + (i - 1) * 4
                redis.call('HSET', key, 'state', 'STARTED', 'worker', ARGV[1], 'started', now,
                  'task', ARGV[b + 1], 'attempt', ARGV[b + 2])
                if ARGV[b + 4] ~= '0' then redis.call('HSET', key, 'submitted', ARGV[b + 4]) end
                redis.call('PEXPIRE', key, ARGV[b + 3])
              end
            end
            return #KEYS
            """, ScriptOutputType.INTEGER);

    @Override
    public void markStarted(String consumer, List<Started> started) {
        Map<String, List<Started>> byQueue = groupBy(started, Started::queue);
        for (Map.Entry<String, List<Started>> entry : byQueue.entrySet()) {
            List<Started> tasks = entry.getValue();
            byte[][] k = new byte[tasks.size()][];
            byte[][] a = new byte[1 + 4 * tasks.size()][];
            a[0] = bytes(consumer);
            for (int i = 0; i < tasks.size(); i++) {
                Started s = tasks.get(i);
                k[i] = keys.record(s.queue(), s.taskId());
                a[1 + 4 * i] = bytes(s.taskName());
                a[2 + 4 * i] = bytes(Integer.toString(s.attempt()));
                a[3 + 4 * i] = bytes(Long.toString(s.recordTtlMillis()));
                a[4 + 4 * i] = bytes(Long.toString(Math.max(0, s.submittedAtMillis())));
            }
            // Informational: not awaited, so that it costs the worker no round trip.
            MARK_STARTED.run(redis.commands(), k, a).exceptionally(ex -> {
                log.debug("Could not mark {} task(s) as started", tasks.size(), ex);
                return null;
            });
        }
    }

    // ------------------------------------------------------------------------------------------ acknowledge

    @Override
    public List<Boolean> acknowledge(String consumer, List<Outcome> outcomes) {
        return this.outcomes.acknowledge(consumer, outcomes);
    }

    // ------------------------------------------------------------------------------------------ limits, revocations

    @Override
    public long takeRateSlot(Delivery delivery, String key, long intervalMicros, int priority, byte[] reservedBody) {
        return limits.takeRateSlot(delivery, key, intervalMicros, priority, reservedBody);
    }

    @Override
    public boolean takePermit(Delivery delivery, String key, int limit, long leaseMillis, int priority) {
        return limits.takePermit(delivery, key, limit, leaseMillis, priority);
    }

    @Override
    public void extendPermits(Map<String, Map<String, List<String>>> permits, long leaseMillis) {
        limits.extendPermits(permits, leaseMillis);
    }

    @Override
    public AutoCloseable onRevoked(RevocationListener listener) {
        return revocations.onRevoked(listener);
    }

    /** One {@code ZMSCORE} of each queue's revoked set, pipelined ({@link RedisRevocations#findRevoked}). */
    @Override
    public void findRevoked(Map<String, List<String>> running, RevocationListener listener) {
        revocations.findRevoked(running, listener);
    }

    /*
     * KEYS[1] {q}:t:<id>   ARGV[1] fraction   ARGV[2] message   ARGV[3] ttl ms
     * Records progress unless the task finished.
     */
    private static final LuaScript PROGRESS = new LuaScript("progress", """
            local state = redis.call('HGET', KEYS[1], 'state')
            if state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then return 0 end
            redis.call('HSET', KEYS[1], 'progress', ARGV[1], 'progress.message', ARGV[2])
            if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
            return 1
            """, ScriptOutputType.INTEGER);

    @Override
    public void progress(String queue, String taskId, double fraction, @Nullable String message,
            long recordTtlMillis) {
        PROGRESS.run(redis.commands(), new byte[][] { keys.record(queue, taskId) },
                bytes(Double.toString(fraction)), bytes(message == null ? "" : message),
                bytes(Long.toString(recordTtlMillis))).exceptionally(ex -> {
                    log.debug("Could not record the progress of task {}", taskId, ex);
                    return null;
                });
    }

    // ------------------------------------------------------------------------------------------ leases

    @Override
    public List<Delivery> extendLeases(String consumer, List<Delivery> claimed) {
        Map<String, List<Delivery>> byStream = groupBy(claimed, d -> d.queue() + '\u0000' + d.stream());
        List<Map.Entry<List<Delivery>, CompletableFuture<List<StreamMessage<byte[], byte[]>>>>> replies =
                new ArrayList<>();
        for (List<Delivery> deliveries : byStream.values()) {
            Delivery first = deliveries.get(0);
            String[] ids = deliveries.stream().map(Delivery::entryId).toArray(String[]::new);
            // XCLAIM to ourselves resets the entry's idle time; JUSTID leaves its delivery count alone. An entry
            // taken back meanwhile is no longer pending (recovery acknowledges and deletes it): it is not claimed,
            // and its id is missing from the reply. No other consumer ever holds our entries.
            replies.add(Map.entry(deliveries, redis.commands().xclaim(keys.stream(first.queue(), first.stream()),
                    io.lettuce.core.Consumer.from(bytes(RedisKeys.GROUP), bytes(consumer)),
                    XClaimArgs.Builder.justid().minIdleTime(0), ids).toCompletableFuture()));
        }
        List<Delivery> stillHeld = new ArrayList<>(claimed.size());
        for (Map.Entry<List<Delivery>, CompletableFuture<List<StreamMessage<byte[], byte[]>>>> reply : replies) {
            Set<String> held = new HashSet<>();
            redis.await(reply.getValue(), "extend the leases of " + claimed.size() + " claimed task(s)")
                    .forEach(message -> held.add(message.getId()));
            reply.getKey().stream().filter(d -> held.contains(d.entryId())).forEach(stillHeld::add);
        }
        return stillHeld;
    }

    @Override
    public void release(String consumer, List<Delivery> deliveries) {
        recovery.release(consumer, deliveries);
    }

    @Override
    public void releaseAll(String consumer, Collection<String> queues) {
        recovery.releaseAll(consumer, queues);
    }

    // ------------------------------------------------------------------------------------------ delayed

    /** One script moves up to {@code max} due tasks to their streams ({@link RedisPromotions}). */
    @Override
    public Promotion promoteDue(String queue, int max) {
        return promotions.promoteDue(queue, max);
    }

    @Override
    public AutoCloseable onEarlierDue(Consumer<String> listener) {
        return redis.subscriptions().subscribe(keys.wakeChannel(), message -> listener.accept(string(message)));
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public long heartbeat(WorkerInfo info, Duration ttl, Duration outageAfter) {
        return heartbeat(info, List.of(), ttl, outageAfter);
    }

    /** The info's hash also holds {@code running}: what runs now, as JSON ({@link RedisQueueBrowser#running}). */
    @Override
    public long heartbeat(WorkerInfo info, List<RunningTask> running, Duration ttl, Duration outageAfter) {
        long now = recovery.heartbeat(info, RunningJson.write(running), ttl, outageAfter);
        redis.subscriptions().reopenIfClosed(); // a worker lives on its notifications: revocations, pauses, wake-ups
        return now;
    }

    /** One script per bucket, pipelined ({@link RedisTaskHistory} shows the layout). */
    @Override
    public void recordHistory(HistoryBatch batch) {
        history.record(batch);
    }

    @Override
    public void deregister(String workerId) {
        recovery.deregister(workerId);
        claims.forget(workerId);
    }

    @Override
    public Recovery recover(RecoveryPolicy policy) {
        return recovery.recover(policy);
    }

    @Override
    public boolean ping() {
        return redis.ping();
    }

    @Override
    public void close() {
        pauses.close();
        submits.close();
        claims.close();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static <T> Map<String, List<T>> groupBy(List<T> items, java.util.function.Function<T, String> key) {
        Map<String, List<T>> groups = new LinkedHashMap<>();
        for (T item : items) {
            groups.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(item);
        }
        return groups;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(@Nullable Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : value.toString();
    }
}
