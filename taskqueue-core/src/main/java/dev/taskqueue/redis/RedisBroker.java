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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.DeadLetter;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.internal.MessageCodec;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// Longer than the ~600 lines we aim for: most of it is the submit and claim scripts, each directly above the method
// that runs it, and they are the write path's protocol, read together with the key layout below. What stands on its
// own has its own class (RedisOutcomes, RedisRecovery, RedisLimits, RedisRevocations, RedisInspector...).
/**
 * The Redis broker: the only class (with its package) that issues Redis commands.
 *
 * <h2>Layout</h2> Per queue {@code q}, every key shares the hash tag {@code {taskqueue:q}} (one Cluster slot):
 * <pre>
 * {taskqueue:q}:s:0 .. :s:9   STREAM  ready tasks, one stream per priority; group "workers"
 *                                     XADD {taskqueue:q}:s:0 * i &lt;task id&gt; m &lt;json body&gt; d &lt;deliveries&gt;
 * {taskqueue:q}:s:r           STREAM  tasks handed back or taken back from dead workers; read first
 * {taskqueue:q}:d             ZSET    delayed task ids by due time        ZADD {taskqueue:q}:d 1732400000000 &lt;id&gt;
 * {taskqueue:q}:dp            HASH    delayed id -> priority digit + body HSET {taskqueue:q}:dp &lt;id&gt; 0{"task":..}
 * {taskqueue:q}:t:&lt;id&gt;        HASH    a task's record, with a TTL         HGETALL {taskqueue:q}:t:&lt;id&gt;
 *                                     state, task, queue, worker, submitted, started, finished, attempt,
 *                                     result, error.type, error.message, error.stack, notify
 * {taskqueue:q}:dead          STREAM  dead letters, MAXLEN ~ (count, roughly) and MINID (age, exactly)
 * {taskqueue}:workers         ZSET    worker id by last heartbeat (broker time)
 * {taskqueue}:worker:&lt;id&gt;     HASH    the worker's info, expiring with its liveness
 * {taskqueue}:worker-queues   HASH    worker id -&gt; the queues it consumes   HSET {taskqueue}:worker-queues w1 a,b
 * {taskqueue}:queues          SET     the queues in use
 * {taskqueue}:queue-use       ZSET    queue by last use (broker time)    ZADD {taskqueue}:queue-use 1732400000000 a
 * {taskqueue}:janitor         STRING  PX lock: one worker at a time recovers lost tasks
 * </pre>
 * A claim is {@code XREADGROUP}: the stream's pending-entries list records who holds what, atomically. The entry
 * id is the lease: acknowledging ({@code XACK}) succeeds only while the entry is pending, so an outcome from a
 * worker whose task was taken back is refused. Acknowledged entries are deleted ({@code XDEL}), so streams hold
 * only waiting and running tasks. A pending record (state PENDING or SCHEDULED) exists only for tasks submitted
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

    /** The prefix of every key when none is configured. */
    public static final String DEFAULT_KEY_PREFIX = "taskqueue";

    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final DeadLetterPolicy deadLetters;
    private final RedisRecovery recovery;
    private final RedisInspector inspector;
    private final RedisOutcomes outcomes;
    private final RedisLimits limits;
    private final RedisRevocations revocations;
    private final RedisDeadLetters deadLetterStore;
    private final RedisWorkflows workflows;
    private final RedisSchedules schedules;
    private final Set<String> mayHaveRevocations = ConcurrentHashMap.newKeySet();
    /** Queues seen paused by the last claims or announced since; the blocking read leaves them out. */
    private final Set<String> pausedQueues = ConcurrentHashMap.newKeySet();
    /** Counts pauses and resumes seen; a claim's view of the flags is older than any counted after it was sent. */
    private final AtomicLong pauseChanges = new AtomicLong();
    private RedisSubscriptions.@Nullable Subscription controlSubscription; // guarded by pausedQueues

    private final Map<String, BlockingReader> readers = new ConcurrentHashMap<>();
    private final RedisQueueNames queueNames;
    /** Stream keys the last claims found not to be streams; the blocking read leaves them out. */
    private final Set<String> unreadableStreams = ConcurrentHashMap.newKeySet();

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

    private final Durability durability;
    private final SubmitRetry submitRetry;
    private volatile @Nullable SubmitConnection submitConnection;

    public RedisBroker(RedisConnections redis, String keyPrefix, DeadLetterPolicy deadLetters) {
        this(redis, keyPrefix, deadLetters, Durability.PRIMARY);
    }

    public RedisBroker(RedisConnections redis, String keyPrefix, DeadLetterPolicy deadLetters,
            Durability durability) {
        this(redis, keyPrefix, deadLetters, durability, SubmitRetry.DEFAULT);
    }

    public RedisBroker(RedisConnections redis, String keyPrefix, DeadLetterPolicy deadLetters,
            Durability durability, SubmitRetry submitRetry) {
        this.redis = redis;
        this.keys = new RedisKeys(keyPrefix);
        this.deadLetters = deadLetters;
        this.durability = durability;
        this.submitRetry = submitRetry;
        this.queueNames = new RedisQueueNames(redis, keys, QUEUE_RETENTION);
        this.recovery = new RedisRecovery(redis, keys, queueNames);
        this.inspector = new RedisInspector(redis, keys);
        this.outcomes = new RedisOutcomes(redis, keys, deadLetters);
        this.limits = new RedisLimits(redis, keys);
        this.revocations = new RedisRevocations(redis, keys, REVOCATION_MEMORY.toMillis());
        this.deadLetterStore = new RedisDeadLetters(redis, keys);
        this.workflows = new RedisWorkflows(redis, keys);
        this.schedules = new RedisSchedules(redis, keys);
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

    RedisKeys keys() {
        return keys;
    }

    RedisConnections connections() {
        return redis;
    }

    // ------------------------------------------------------------------------------------------ submit

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3] {q}:revoked   then 3 per message: KEYS[3i+1] its priority's stream
     *   {q}:s:<p>, KEYS[3i+2] its record {q}:t:<id>, KEYS[3i+3] its uniqueness key {q}:u:<key> ({q}:u:- when none)
     * ARGV[1] group   ARGV[2] wake channel   ARGV[3] queue name
     * then 12 per message: id, priority digit, body, delay ms, due epoch ms ('' = none), deduplicate '1'|'0',
     *                      task name, record ttl ms, unique mode ('' | U until finished | W window | D debounce),
     *                      unique window ms, unique key ('' = none), workflow parent id ('' = none)
     * Returns 2 per message: outcome (1 stored, 0 duplicate id, 2 not unique, 3 debounced) and the id of the task
     * that represents the message (its own, or the one it collapsed into).
     * A delayed message that became the earliest of its queue is announced on the wake channel. A message stored
     * with a caller-chosen id forgets a revocation of that id made when no queue had it: it is a new task.
     */
    private static final LuaScript SUBMIT = new LuaScript("submit", """
            local now = now_ms()
            local out = {}
            local announce = false
            local F = 12
            for i = 1, (#ARGV - 3) / F do
              local b = 3 + (i - 1) * F
              local id, prio, body = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
              local due, dedupe, name, ttl = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
              local umode, uwindow, ukey = ARGV[b + 9], tonumber(ARGV[b + 10]), ARGV[b + 11]
              local stream, record, unique = KEYS[3 * i + 1], KEYS[3 * i + 2], KEYS[3 * i + 3]
              local at = now + tonumber(ARGV[b + 4])
              if due ~= '' then at = tonumber(due) end
              local outcome, winner = 1, id
              if dedupe == '1' and redis.call('HEXISTS', record, 'state') == 1 then
                outcome = 0
              elseif ukey ~= '' then
                local holder = redis.call('GET', unique)
                if umode == 'D' and holder and redis.call('HEXISTS', KEYS[2], holder) == 1 then
                  -- Debounce: the pending task takes the newest arguments and waits its window again.
                  redis.call('HSET', KEYS[2], holder, prio .. body)
                  redis.call('ZADD', KEYS[1], now + uwindow, holder)
                  redis.call('PEXPIRE', unique, uwindow + tonumber(ttl))
                  outcome, winner = 3, holder
                elseif umode ~= 'D' and holder then
                  outcome, winner = 2, holder
                else
                  local keep = uwindow
                  if umode == 'D' then keep = uwindow + tonumber(ttl) end
                  redis.call('SET', unique, id, 'PX', keep)
                end
              end
              if outcome == 1 then
                local state = 'PENDING'
                if at > now then
                  state = 'SCHEDULED'
                  redis.call('HSET', KEYS[2], id, prio .. body)
                  redis.call('ZADD', KEYS[1], at, id)
                  if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == id then announce = true end
                else
                  add_ready(stream, ARGV[1], id, body, '0', false)
                end
                if dedupe == '1' then
                  redis.call('HSET', record, 'state', state, 'task', name, 'queue', ARGV[3], 'submitted', now)
                  if ARGV[b + 12] ~= '' then redis.call('HSET', record, 'parent', ARGV[b + 12]) end
                  redis.call('PEXPIRE', record, ttl)
                  redis.call('ZREM', KEYS[3], id)
                end
              end
              out[2 * i - 1] = outcome
              out[2 * i] = winner
            end
            if announce then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
            return out
            """, ScriptOutputType.MULTI);

    /**
     * Stores the messages, one script per queue (per slice of a large batch), all sent before any reply is awaited.
     * A slice that Redis did not store is sent again as {@link SubmitRetry} allows, the others are not: no attempt
     * stores a message twice. Returns once every slice is stored (and, with {@link Durability}, replicated).
     */
    @Override
    public List<SubmitResult> submit(List<OutgoingMessage> messages) {
        String what = "store " + messages.size() + " task(s)";
        SubmitResult[] results = new SubmitResult[messages.size()];
        List<List<Integer>> unstored = slices(messages);
        long firstAttempt = System.nanoTime();
        SubmitConnection replicated = null;
        long connectedAtFirstStore = -1;
        List<StatefulConnection<byte[], byte[]>> storedOn = new ArrayList<>();
        for (int attempt = 1; !unstored.isEmpty(); attempt++) {
            Map<List<Integer>, RuntimeException> failed;
            try {
                long connectedBefore = 0;
                if (durability.replicas() > 0) {
                    replicated = submitConnection();
                    connectedBefore = replicated.connections.get();
                }
                failed = store(replicated, storedOn, unstored, messages, results, what);
                if (replicated != null && connectedAtFirstStore < 0 && failed.size() < unstored.size()) {
                    connectedAtFirstStore = connectedBefore;
                }
            }
            catch (BrokerUnavailableException ex) { // no connection could be made: nothing was sent
                failed = new LinkedHashMap<>();
                for (List<Integer> slice : unstored) {
                    failed.put(slice, ex);
                }
            }
            if (!failed.isEmpty()) {
                beforeNextAttempt(failed, messages, attempt, firstAttempt);
            }
            unstored = List.copyOf(failed.keySet());
        }
        if (replicated != null) {
            awaitReplicas(storedOn);
            // WAIT counts the replicas that have this connection's last write. Lettuce reconnects by itself and sends
            // a command again on the new connection, where WAIT has no write to wait for and answers at once: after a
            // failover (Sentinel reconnects clients of the demoted master to the new one, which it now replicates)
            // that answer would confirm tasks stored only on the old master, which its resync then erases. A
            // reconnection since the first tasks were stored therefore confirms nothing.
            if (replicated.connections.get() != connectedAtFirstStore) {
                throw new ReplicationException(0, durability.replicas(), durability.timeout().toMillis());
            }
        }
        return List.of(results);
    }

    /**
     * Waits before the failed slices are sent again, or throws. Sending a slice again is safe when it cannot store a
     * task twice: Redis surely did not run its script, or every task in it has a caller-chosen id (which the script
     * stores once). The failure reported is the worst: a refusal for good, else one not safe to send again.
     */
    private void beforeNextAttempt(Map<List<Integer>, RuntimeException> failed, List<OutgoingMessage> messages,
            int attempt, long firstAttempt) {
        RuntimeException failure = null;
        int worst = Integer.MAX_VALUE;
        boolean safe = true;
        int unstored = 0;
        for (Map.Entry<List<Integer>, RuntimeException> slice : failed.entrySet()) {
            boolean sliceSafe = RedisConnections.surelyNotRun(slice.getValue())
                    || slice.getKey().stream().allMatch(i -> messages.get(i).deduplicate());
            int rank = !(slice.getValue() instanceof BrokerUnavailableException) ? 0 : sliceSafe ? 2 : 1;
            if (rank < worst) {
                worst = rank;
                failure = slice.getValue();
            }
            safe &= sliceSafe;
            unstored += slice.getKey().size();
        }
        submitRetry.beforeNextAttempt("store " + unstored + " of " + messages.size() + " task(s)", attempt,
                firstAttempt, failure, safe);
    }

    /** The positions of the messages, by queue, in slices: one script does not hold Redis for long. */
    private static List<List<Integer>> slices(List<OutgoingMessage> messages) {
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byQueue.computeIfAbsent(messages.get(i).queue(), q -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> slices = new ArrayList<>();
        for (List<Integer> indexes : byQueue.values()) {
            for (int from = 0; from < indexes.size(); from += SUBMIT_SLICE) {
                slices.add(indexes.subList(from, Math.min(indexes.size(), from + SUBMIT_SLICE)));
            }
        }
        return slices;
    }

    /**
     * One attempt: sends each slice's script, then awaits each reply. Fills in the results of the slices Redis
     * stored; returns the failure of each other slice.
     *
     * @param replicated the connection of submits that replicas must confirm, or null (then the shared one)
     * @param storedOn the connections that scripts went on, for their {@code WAIT}s
     */
    private Map<List<Integer>, RuntimeException> store(@Nullable SubmitConnection replicated,
            List<StatefulConnection<byte[], byte[]>> storedOn, List<List<Integer>> slices,
            List<OutgoingMessage> messages, SubmitResult[] results, String what) {
        Map<List<Integer>, RuntimeException> failed = new LinkedHashMap<>();
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (List<Integer> slice : slices) {
            String queue = messages.get(slice.get(0)).queue();
            RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
            if (replicated != null) {
                StatefulConnection<byte[], byte[]> connection = replicated.storing(keys.delayed(queue));
                if (!storedOn.contains(connection)) {
                    storedOn.add(connection);
                }
                commands = RedisConnections.async(connection);
            }
            replies.add(SUBMIT.run(commands, submitKeys(queue, slice, messages), submitArgs(queue, slice, messages)));
            queueNames.submittedTo(queue); // not in the submit script: another slot
        }
        for (int r = 0; r < replies.size(); r++) {
            List<Integer> slice = slices.get(r);
            try {
                List<Object> reply = awaitStored(replies.get(r), what);
                for (int i = 0; i < slice.size(); i++) {
                    results[slice.get(i)] = new SubmitResult(SUBMIT_OUTCOMES[((Long) reply.get(2 * i)).intValue()],
                            string(reply.get(2 * i + 1)));
                }
            }
            catch (TaskQueueException ex) {
                failed.put(slice, ex);
            }
        }
        return failed;
    }

    private List<Object> awaitStored(CompletableFuture<List<Object>> reply, String what) {
        try {
            return redis.await(reply, what);
        }
        catch (TaskQueueException ex) {
            // With replica acknowledgement on a Cluster, scripts go to the node the client believes serves the slot,
            // which does not follow redirections: MOVED or ASK means the slot moved (a failover, a resharding).
            if (ex.getCause() instanceof RedisCommandExecutionException refused && refused.getMessage() != null
                    && (refused.getMessage().startsWith("MOVED") || refused.getMessage().startsWith("ASK"))) {
                redis.refreshTopology();
                throw redis.unavailable(what + " on the node that served their queue", refused);
            }
            throw ex;
        }
    }

    /** {@code WAIT} on every connection that stored tasks: each must have the replicas asked for. */
    private void awaitReplicas(List<StatefulConnection<byte[], byte[]>> storedOn) {
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        for (StatefulConnection<byte[], byte[]> connection : storedOn) {
            waits.add(RedisConnections.async(connection).waitForReplication(durability.replicas(),
                    durability.timeout().toMillis()).toCompletableFuture());
        }
        for (CompletableFuture<Long> wait : waits) {
            long acknowledged;
            try {
                acknowledged = redis.await(wait, "wait for replicas", durability.timeout().plus(redis.timeout()));
            }
            catch (TaskQueueException ex) {
                // The tasks are stored, unconfirmed: WAIT timed out, its connection was cut, or the master refused it
                // (UNBLOCKED: it turned into a replica during the wait, as a Cluster's old master does in a failover).
                ReplicationException unconfirmed = new ReplicationException(0, durability.replicas(),
                        durability.timeout().toMillis());
                unconfirmed.initCause(ex);
                throw unconfirmed;
            }
            if (acknowledged < durability.replicas()) {
                throw new ReplicationException((int) acknowledged, durability.replicas(),
                        durability.timeout().toMillis());
            }
        }
    }

    /**
     * The connection submits go on when replicas must acknowledge them: a dedicated one, so that {@code WAIT} covers
     * exactly the submits and blocks neither the worker's claims nor its acknowledgements. It counts the times Lettuce
     * connected it again.
     */
    private final class SubmitConnection implements RedisConnectionStateListener {

        final StatefulConnection<byte[], byte[]> connection;
        final AtomicLong connections = new AtomicLong();
        private final Set<StatefulConnection<?, ?>> watched = ConcurrentHashMap.newKeySet();

        SubmitConnection(StatefulConnection<byte[], byte[]> connection) {
            this.connection = connection;
            watch(connection);
        }

        /**
         * The connection that stores the tasks of the queue of {@code key}, and must then run their {@code WAIT}. On a
         * Cluster, the one to the master of the queue's slot: a command without keys, such as {@code WAIT}, would go
         * to whichever node the client picks, and count that node's replicas.
         */
        StatefulConnection<byte[], byte[]> storing(byte[] key) {
            if (!(connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster)) {
                return connection;
            }
            int slot = SlotHash.getSlot(key);
            RedisClusterNode master = cluster.getPartitions().getMasterBySlot(slot);
            if (master == null) {
                redis.refreshTopology();
                throw redis.unavailable("store tasks", new IllegalStateException("no node serves slot " + slot));
            }
            try {
                StatefulConnection<byte[], byte[]> node = cluster.getConnection(master.getUri().getHost(),
                        master.getUri().getPort());
                watch(node);
                return node;
            }
            catch (RuntimeException ex) {
                throw redis.unavailable("connect to the node that serves slot " + slot, ex);
            }
        }

        private void watch(StatefulConnection<?, ?> watchedConnection) {
            if (watched.add(watchedConnection)) {
                watchedConnection.addListener(this); // once connected: only reconnections count
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler) {
            connections.incrementAndGet(); // on the new channel's thread, before any reply it reads
        }
    }

    private SubmitConnection submitConnection() {
        SubmitConnection current = submitConnection;
        if (current == null || !current.connection.isOpen()) {
            synchronized (this) {
                current = submitConnection;
                if (current == null || !current.connection.isOpen()) {
                    current = new SubmitConnection(RedisConnections.replace(current == null ? null
                            : current.connection, redis.dedicated()));
                    submitConnection = current;
                }
            }
        }
        return current;
    }

    /** The submit script's outcome codes, by value. */
    private static final SubmitResult.Outcome[] SUBMIT_OUTCOMES = { SubmitResult.Outcome.DUPLICATE,
            SubmitResult.Outcome.ACCEPTED, SubmitResult.Outcome.NOT_UNIQUE, SubmitResult.Outcome.DEBOUNCED };

    private static final int SUBMIT_SLICE = 500;

    private byte[][] submitKeys(String queue, List<Integer> slice, List<OutgoingMessage> messages) {
        byte[][] k = new byte[3 + 3 * slice.size()][];
        k[0] = keys.delayed(queue);
        k[1] = keys.delayedPayloads(queue);
        k[2] = keys.revoked(queue);
        for (int i = 0; i < slice.size(); i++) {
            OutgoingMessage m = messages.get(slice.get(i));
            k[3 + 3 * i] = keys.stream(queue, Integer.toString(m.priority()));
            k[4 + 3 * i] = keys.record(queue, m.id());
            k[5 + 3 * i] = keys.unique(queue, m.unique() == null ? null : m.unique().key());
        }
        return k;
    }

    private byte[][] submitArgs(String queue, List<Integer> slice, List<OutgoingMessage> messages) {
        byte[][] a = new byte[3 + 12 * slice.size()][];
        a[0] = bytes(RedisKeys.GROUP);
        a[1] = bytes(keys.wakeChannel());
        a[2] = bytes(queue);
        int i = 3;
        for (int index : slice) {
            OutgoingMessage m = messages.get(index);
            a[i++] = bytes(m.id());
            a[i++] = bytes(Integer.toString(m.priority()));
            a[i++] = m.body();
            a[i++] = bytes(Long.toString(m.delayMillis()));
            a[i++] = bytes(m.dueAtMillis() == null ? "" : Long.toString(m.dueAtMillis()));
            a[i++] = bytes(m.deduplicate() ? "1" : "0");
            a[i++] = bytes(m.taskName());
            a[i++] = bytes(Long.toString(m.recordTtlMillis()));
            OutgoingMessage.UniqueClaim unique = m.unique();
            a[i++] = bytes(unique == null ? "" : switch (unique.mode()) {
                case UNTIL_FINISHED -> "U";
                case WINDOW -> "W";
                case DEBOUNCE -> "D";
            });
            a[i++] = bytes(unique == null ? "0" : Long.toString(unique.windowMillis()));
            a[i++] = bytes(unique == null ? "" : unique.key());
            a[i++] = bytes(m.parentId() == null ? "" : m.parentId());
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------ claim

    @Override
    public void declare(Collection<String> queues) {
        try {
            listenToControl(); // a worker declares its queues once, as it starts: listen to pauses from then on
        }
        catch (RuntimeException ex) {
            log.debug("Could not subscribe to queue control; pauses take effect at the next claim", ex);
        }
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
        List<CompletableFuture<?>> replies = new ArrayList<>();
        for (String queue : queues) {
            replies.add(DECLARE.run(commands, keys.streams(queue), bytes(RedisKeys.GROUP)));
        }
        for (CompletableFuture<?> reply : replies) {
            redis.await(reply, "declare queues " + queues);
        }
        queueNames.use(queues);
    }

    /*
     * KEYS: the streams of one queue.   ARGV[1] group.
     * Creates the group (from the stream's start, so that nothing added before is skipped) where it is missing.
     * Returns the number of groups created.
     */
    private static final LuaScript DECLARE = new LuaScript("declare", """
            local created = 0
            for _, key in ipairs(KEYS) do
              local r = redis.pcall('XGROUP', 'CREATE', key, ARGV[1], '0', 'MKSTREAM')
              if type(r) ~= 'table' or not r.err then created = created + 1 end
            end
            return created
            """, ScriptOutputType.INTEGER);

    /*
     * KEYS: per queue, its 11 streams in claim order (redelivery, then priority 9 .. 0), its {q}:revoked set and
     *   its {q}:paused flag
     * ARGV[1] group   ARGV[2] consumer   ARGV[3] max messages
     * Returns { a flat list of 3 per stream read from: key index, the XREADGROUP entries as Redis returned them
     *             ({id, {i, <task id>, m, <body>, d, <deliveries>}} each), revoked flags (a list of 1|0 per
     *             entry, or 0 when the queue has no revocations),
     *           key indexes of streams whose group is missing, queue numbers (from 1) with revocations,
     *           queue numbers (from 1) that are paused (nothing is claimed from them),
     *           key indexes of keys that are not streams (written by something else: skipped),
     *           the index of the last stream key examined (those after it were not: the claim was full) }.
     * Empty streams are skipped with XLEN (cheaper than an empty read); entries are returned as read, not copied
     * field by field. A revoked task is claimed like any other, flagged, so that its worker records it as REVOKED
     * (releasing its keys) without running it.
     */
    private static final LuaScript CLAIM = new LuaScript("claim", """
            local left = tonumber(ARGV[3])
            local out, missing, flagged, paused, unreadable, examined = {}, {}, {}, {}, {}, 0
            local per_queue = 13
            for q = 0, #KEYS / per_queue - 1 do
              if left <= 0 then break end
              local revoked = KEYS[q * per_queue + 12]
              local any_revoked = redis.call('EXISTS', revoked) == 1
              if any_revoked then flagged[#flagged + 1] = q + 1 end
              local streams_to = q * per_queue + 11
              if redis.call('EXISTS', KEYS[q * per_queue + 13]) == 1 then
                paused[#paused + 1] = q + 1
                streams_to = 0
              end
              for k = q * per_queue + 1, streams_to do
                if left <= 0 then break end
                examined = k
                local length = redis.pcall('XLEN', KEYS[k])
                if type(length) == 'table' then
                  unreadable[#unreadable + 1] = k
                elseif length > 0 then
                  local res = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', KEYS[k],
                    '>')
                  if type(res) == 'table' and res.err then
                    missing[#missing + 1] = k
                  elseif res then
                    local entries = res[1][2]
                    local flags = 0
                    if any_revoked then
                      flags = {}
                      for i, e in ipairs(entries) do
                        flags[i] = redis.call('ZSCORE', revoked, field_value(e[2], 'i') or '') and 1 or 0
                      end
                    end
                    out[#out + 1] = k
                    out[#out + 1] = entries
                    out[#out + 1] = flags
                    left = left - #entries
                  end
                end
              end
            end
            return { out, missing, flagged, paused, unreadable, examined }
            """, ScriptOutputType.MULTI);

    /** Queues per claim script: enough to find work in one round trip, few enough to keep the script short. */
    private static final int QUEUES_PER_CLAIM = 8;

    @Override
    public List<Delivery> claim(String consumer, List<String> queues, int max) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        List<Delivery> claimed = new ArrayList<>();
        TaskQueueException failure = null;
        // One script covers several queues on standalone Redis; a Cluster needs one per queue (one slot each).
        int groupSize = redis.isCluster() ? 1 : QUEUES_PER_CLAIM;
        for (int from = 0; from < queues.size() && claimed.size() < max; from += groupSize) {
            List<String> group = queues.subList(from, Math.min(queues.size(), from + groupSize));
            List<StreamRef> refs = new ArrayList<>();
            List<byte[]> k = new ArrayList<>();
            for (String queue : group) {
                for (String band : keys.bandsInClaimOrder()) {
                    refs.add(new StreamRef(queue, band));
                    k.add(keys.stream(queue, band));
                }
                refs.add(null);
                k.add(keys.revoked(queue));
                refs.add(null);
                k.add(keys.paused(queue));
            }
            List<Object> reply;
            long pauseChangesBefore = pauseChanges.get();
            try {
                reply = redis.await(CLAIM.run(redis.commands(), k.toArray(byte[][]::new), bytes(RedisKeys.GROUP),
                        bytes(consumer), bytes(Integer.toString(max - claimed.size()))), "claim tasks from " + group);
            }
            catch (TaskQueueException ex) {
                // What was claimed is held: it must reach the worker. A failure that is not an outage (a key of the
                // wrong type, say) must not keep the other queues from being claimed either; it is thrown when
                // nothing was claimed, for the worker to report.
                if (claimed.isEmpty() && (failure == null || ex instanceof BrokerUnavailableException)) {
                    failure = ex;
                }
                if (ex instanceof BrokerUnavailableException) {
                    break;
                }
                continue;
            }
            List<?> flat = (List<?>) reply.get(0);
            for (int i = 0; i < flat.size(); i += 3) {
                StreamRef ref = refs.get(((Long) flat.get(i)).intValue() - 1);
                List<?> entries = (List<?>) flat.get(i + 1);
                List<?> revoked = flat.get(i + 2) instanceof List<?> flags ? flags : null;
                for (int e = 0; e < entries.size(); e++) {
                    List<?> entry = (List<?>) entries.get(e);
                    claimed.add(delivery(ref, string(entry.get(0)), (List<?>) entry.get(1),
                            revoked != null && ((Long) revoked.get(e)) == 1L));
                }
            }
            if (!((List<?>) reply.get(1)).isEmpty()) {
                declare(group); // a stream lost its group (keys deleted by hand): recreate, nothing is skipped
            }
            for (String queue : group) {
                mayHaveRevocations.remove(queue);
            }
            for (Object number : (List<?>) reply.get(2)) {
                mayHaveRevocations.add(group.get(((Long) number).intValue() - 1));
            }
            List<String> nowPaused = ((List<?>) reply.get(3)).stream()
                    .map(number -> group.get(((Long) number).intValue() - 1)).toList();
            if (pauseChanges.get() == pauseChangesBefore) { // else a pause or resume seen since is newer: keep it
                pausedQueues.removeAll(group);
                pausedQueues.addAll(nowPaused);
            }
            seeUnreadable(refs, k, (List<?>) reply.get(4), ((Long) reply.get(5)).intValue());
        }
        if (claimed.isEmpty() && failure != null) {
            throw failure;
        }
        return claimed;
    }

    private record StreamRef(String queue, String band) {
    }

    /**
     * Keeps track of the stream keys of the last claims that are not streams (written by something else): the
     * claim script skips them and the blocking read leaves them out, so that the other streams of their queue, and
     * the other queues, are served. Each is logged as an error when found, and when mended.
     */
    private void seeUnreadable(List<StreamRef> refs, List<byte[]> scriptKeys, List<?> indexes, int examined) {
        Set<String> now = new HashSet<>();
        for (Object index : indexes) {
            now.add(string(scriptKeys.get(((Long) index).intValue() - 1)));
        }
        for (int i = 0; i < examined; i++) {
            String key = string(scriptKeys.get(i));
            if (refs.get(i) == null || pausedQueues.contains(refs.get(i).queue())) {
                continue; // not a stream key, or not examined
            }
            if (now.contains(key) && unreadableStreams.add(key)) {
                log.error("Key {} is not a stream (something else wrote it): no task is claimed from it until it is "
                        + "deleted or renamed; the other streams of queue '{}', and the other queues, are claimed",
                        key, refs.get(i).queue());
            }
            else if (!now.contains(key) && unreadableStreams.remove(key)) {
                log.info("Key {} is a stream again: tasks are claimed from it", key);
            }
        }
    }

    /**
     * A claimed entry: its fields are {@code i} (task id), {@code m} (body), {@code d} (deliveries), and {@code r}
     * when it was revoked before it entered the stream (see {@code add_ready} in {@link LuaScript}). Anyone can write
     * to a stream: an entry with a field missing or unreadable is delivered all the same, marked malformed, for its
     * worker to quarantine it alone (one bad entry must not cost the claim of the others). A count too large to be
     * true reads as {@link LuaScript#MAX_COUNT}, so that max-deliveries applies to it.
     */
    private Delivery delivery(StreamRef ref, String entryId, List<?> fields, boolean revoked) {
        String taskId = null;
        byte[] body = null;
        String count = null;
        for (int f = 0; f + 1 < fields.size(); f += 2) {
            byte[] name = (byte[]) fields.get(f);
            if (name.length == 1) {
                switch (name[0]) {
                    case 'i' -> taskId = string(fields.get(f + 1));
                    case 'm' -> body = (byte[]) fields.get(f + 1);
                    case 'd' -> count = string(fields.get(f + 1));
                    case 'r' -> revoked = true;
                    default -> {
                    }
                }
            }
        }
        int deliveries = RedisValues.count(count);
        String problem = taskId == null || taskId.isEmpty() ? "it has no task id (field i)"
                : body == null ? "it has no message (field m)"
                : count == null ? "it has no delivery count (field d)"
                : deliveries < 0 ? "its delivery count (field d) " + RedisValues.shown(count) + " is not a whole number"
                : null;
        return new Delivery(ref.queue(), ref.band(), entryId, taskId == null ? "" : taskId,
                body == null ? new byte[0] : body, Math.max(0, deliveries), revoked, problem == null ? null
                        : "malformed entry " + entryId + " in " + string(keys.stream(ref.queue(), ref.band())) + ": "
                                + problem);
    }

    @Override
    public List<Delivery> awaitAndClaim(String consumer, List<String> queues, int max, Duration timeout) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        BlockingReader reader = readers.computeIfAbsent(consumer, c -> new BlockingReader());
        List<String> waitOn = queues.stream().filter(q -> !pausedQueues.contains(q)).toList();
        if (waitOn.isEmpty()) {
            sleepQuietly(Math.min(timeout.toMillis(), 200)); // every queue paused: look again soon
            return List.of();
        }
        if (redis.isCluster() && queues.size() > 1) {
            // One blocking read cannot span slots: wait on the queues in turn, briefly each.
            waitOn = List.of(queues.get(reader.nextQueue(queues.size())));
            timeout = Duration.ofMillis(Math.min(timeout.toMillis(), 100));
        }
        List<StreamOffset<byte[]>> offsets = new ArrayList<>();
        for (String queue : waitOn) {
            for (String band : keys.bandsInClaimOrder()) {
                byte[] stream = keys.stream(queue, band);
                if (!unreadableStreams.contains(string(stream))) {
                    offsets.add(StreamOffset.lastConsumed(stream));
                }
            }
        }
        if (offsets.isEmpty()) {
            sleepQuietly(Math.min(timeout.toMillis(), 200));
            return List.of();
        }
        List<StreamMessage<byte[], byte[]>> messages;
        try {
            messages = reader.read(consumer, offsets, timeout);
        }
        catch (TaskQueueException ex) {
            if (ex.getCause() instanceof RedisCommandExecutionException rce && rce.getMessage() != null
                    && rce.getMessage().startsWith("NOGROUP")) {
                declare(waitOn);
                return List.of();
            }
            throw ex;
        }
        List<Delivery> deliveries = new ArrayList<>(messages.size());
        for (StreamMessage<byte[], byte[]> message : messages) {
            deliveries.add(markIfRevoked(toDelivery(message)));
        }
        List<Delivery> kept = new ArrayList<>();
        List<Delivery> handBack = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            // Never hold more than the free slots (several priority streams can fill at the same instant), nor a
            // task of a queue paused while this read was waiting.
            (kept.size() < max && !pausedQueues.contains(delivery.queue()) ? kept : handBack).add(delivery);
        }
        if (!handBack.isEmpty()) {
            release(consumer, handBack);
        }
        return kept;
    }

    /**
     * The blocking read returns entries without the claim script's revocation check: check here, but only for
     * queues where revocations may exist (seen by the last claim, or announced since), to spare the round trip.
     * An entry that entered its stream already revoked carries the flag itself.
     */
    private Delivery markIfRevoked(Delivery delivery) {
        if (delivery.revoked() || !mayHaveRevocations.contains(delivery.queue())) {
            return delivery;
        }
        Double revokedAt = redis.await(redis.commands().zscore(keys.revoked(delivery.queue()),
                bytes(delivery.taskId())), "check a revocation");
        return revokedAt != null ? delivery.asRevoked() : delivery;
    }

    private Delivery toDelivery(StreamMessage<byte[], byte[]> message) {
        String key = string(message.getStream());
        StreamRef ref = new StreamRef(key.substring(keys.prefix().length() + 2, key.indexOf('}')),
                key.substring(key.lastIndexOf(":s:") + 3));
        List<byte[]> fields = new ArrayList<>();
        message.getBody().forEach((name, value) -> {
            fields.add(name);
            fields.add(value);
        });
        return delivery(ref, message.getId(), fields, false);
    }

    @Override
    public void wakeUp(String consumer) {
        BlockingReader reader = readers.get(consumer);
        if (reader != null) {
            reader.unblock();
        }
    }

    /** A dedicated connection on which one consumer blocks, never the shared one. */
    private final class BlockingReader {

        private @Nullable StatefulConnection<byte[], byte[]> connection;
        private volatile long clientId = -1;
        /** A wake-up asked for before the read was sent: the read must not start, or it would block on. */
        private volatile boolean wakeRequested;
        private int rotation;

        synchronized List<StreamMessage<byte[], byte[]>> read(String consumer, List<StreamOffset<byte[]>> offsets,
                Duration timeout) {
            if (connection == null || !connection.isOpen()) {
                connection = RedisConnections.replace(connection, redis.dedicated());
                connection.setTimeout(timeout.plus(redis.timeout()));
                if (!redis.isCluster()) {
                    clientId = redis.await(RedisConnections.async(connection).clientId(), "identify a connection");
                }
            }
            if (wakeRequested) {
                wakeRequested = false;
                return List.of();
            }
            @SuppressWarnings("unchecked")
            StreamOffset<byte[]>[] streams = offsets.toArray(new StreamOffset[0]);
            return redis.await(RedisConnections.async(connection).xreadgroup(
                    io.lettuce.core.Consumer.from(bytes(RedisKeys.GROUP), bytes(consumer)),
                    XReadArgs.Builder.block(Math.max(1, timeout.toMillis())).count(1), streams),
                    "wait for tasks", timeout.plus(redis.timeout()));
        }

        int nextQueue(int size) {
            rotation = (rotation + 1) % size;
            return rotation;
        }

        void unblock() {
            wakeRequested = true; // for a read not sent yet
            long id = clientId;
            if (id >= 0) {
                redis.commands().clientUnblock(id, io.lettuce.core.UnblockType.TIMEOUT); // for a read in progress
            }
        }

        synchronized void close() {
            if (connection != null) {
                if (!RedisConnections.isClosed(connection)) {
                    connection.close(); // even cut off: it would reconnect by itself
                }
                connection = null;
            }
        }
    }

    /*
     * KEYS: task records.   ARGV[1] worker id, then 5 per record: task name, queue, attempt, ttl ms, submission
     * time ms (its message's creation time; 0 = unknown).
     * Sets state STARTED unless the task already finished (a slow notice must not undo an outcome).
     */
    private static final LuaScript MARK_STARTED = new LuaScript("mark-started", """
            local now = now_ms()
            for i, key in ipairs(KEYS) do
              local state = redis.call('HGET', key, 'state')
              if state ~= 'SUCCESS' and state ~= 'FAILURE' and state ~= 'REVOKED' then
                local b = 1 + (i - 1) * 5
                redis.call('HSET', key, 'state', 'STARTED', 'worker', ARGV[1], 'started', now,
                  'task', ARGV[b + 1], 'queue', ARGV[b + 2], 'attempt', ARGV[b + 3])
                if ARGV[b + 5] ~= '0' then redis.call('HSET', key, 'submitted', ARGV[b + 5]) end
                redis.call('PEXPIRE', key, ARGV[b + 4])
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
            byte[][] a = new byte[1 + 5 * tasks.size()][];
            a[0] = bytes(consumer);
            for (int i = 0; i < tasks.size(); i++) {
                Started s = tasks.get(i);
                k[i] = keys.record(s.queue(), s.taskId());
                a[1 + 5 * i] = bytes(s.taskName());
                a[2 + 5 * i] = bytes(s.queue());
                a[3 + 5 * i] = bytes(Integer.toString(s.attempt()));
                a[4 + 5 * i] = bytes(Long.toString(s.recordTtlMillis()));
                a[5 + 5 * i] = bytes(Long.toString(Math.max(0, s.submittedAtMillis())));
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
        return outcomes(consumer, outcomes);
    }

    private List<Boolean> outcomes(String consumer, List<Outcome> outcomes) {
        return this.outcomes.acknowledge(consumer, outcomes);
    }

    // ------------------------------------------------------------------------------------------ limits, revocation

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
    public boolean revoke(@Nullable String queue, String taskId, String reason, boolean interrupt) {
        RedisRevocations.Where where = revocations.where(queue, taskId, queue != null ? Set.of() : queues());
        mayHaveRevocations.addAll(where.queues());
        return revocations.revoke(where, taskId, reason, interrupt, MessageCodec::uniqueKeyOf,
                MessageCodec::isWorkflowStep);
    }

    @Override
    public AutoCloseable onRevoked(RevocationListener listener) {
        return revocations.onRevoked(listener);
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

    // ------------------------------------------------------------------------------------------ queue control

    @Override
    public void pause(String queue) {
        redis.await(redis.commands().set(keys.paused(queue), bytes("1")), "pause queue '" + queue + "'");
        seePaused(queue, true); // at once here; other instances when the announcement reaches them
        announce("pause " + queue);
    }

    @Override
    public void resume(String queue) {
        redis.await(redis.commands().del(keys.paused(queue)), "resume queue '" + queue + "'");
        seePaused(queue, false);
        announce("resume " + queue);
    }

    /** Leaves a paused queue out of the blocking reads (or brings it back): they are woken to start again. */
    private void seePaused(String queue, boolean paused) {
        pauseChanges.incrementAndGet();
        if (paused) {
            pausedQueues.add(queue);
        }
        else {
            pausedQueues.remove(queue);
        }
        readers.values().forEach(BlockingReader::unblock);
    }

    private void announce(String message) {
        redis.await(redis.commands().publish(bytes(keys.controlChannel()), bytes(message)), "announce " + message);
    }

    /**
     * Listens to pauses and resumes announced by any instance: a paused queue leaves this broker's blocking reads
     * at once (they are woken), a resumed one comes back.
     */
    private void listenToControl() {
        synchronized (pausedQueues) {
            if (controlSubscription == null) {
                controlSubscription = redis.subscriptions().subscribe(keys.controlChannel(), message -> {
                    String[] parts = string(message).split(" ", 2);
                    if (parts.length == 2) {
                        seePaused(parts[1], parts[0].equals("pause"));
                    }
                });
            }
        }
    }

    /*
     * KEYS[1..11] the queue's streams   KEYS[12] {q}:d   KEYS[13] {q}:dp
     * ARGV[1] group   ARGV[2] max tasks this call
     * Deletes up to max waiting tasks: those not yet delivered from each stream (read with a purging consumer,
     * acknowledged and deleted; running ones stay), then the delayed ones. Returns how many it deleted.
     */
    private static final LuaScript PURGE = new LuaScript("purge", """
            local max, removed = tonumber(ARGV[2]), 0
            for k = 1, 11 do
              if removed >= max then return removed end
              if redis.call('XLEN', KEYS[k]) > 0 then
                local res = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], 'taskqueue-purge', 'COUNT', max - removed,
                  'STREAMS', KEYS[k], '>')
                if type(res) == 'table' and not res.err then
                  local ids = {}
                  for _, e in ipairs(res[1][2]) do ids[#ids + 1] = e[1] end
                  if #ids > 0 then
                    redis.call('XACK', KEYS[k], ARGV[1], unpack(ids))
                    redis.call('XDEL', KEYS[k], unpack(ids))
                    removed = removed + #ids
                  end
                end
                redis.pcall('XGROUP', 'DELCONSUMER', KEYS[k], ARGV[1], 'taskqueue-purge')
              end
            end
            if removed < max then
              removed = removed + redis.call('ZCARD', KEYS[12])
              redis.call('DEL', KEYS[12], KEYS[13])
            end
            return removed
            """, ScriptOutputType.INTEGER);

    @Override
    public long purge(String queue) {
        byte[][] k = keys.streamsAnd(queue, keys.delayed(queue), keys.delayedPayloads(queue));
        long total = 0;
        for (int round = 0; round < 100_000; round++) {
            long removed = redis.await(PURGE.run(redis.commands(), k, bytes(RedisKeys.GROUP), bytes("1000")),
                    "purge queue '" + queue + "'");
            total += removed;
            if (removed < 1000) {
                break;
            }
        }
        return total;
    }

    // ------------------------------------------------------------------------------------------ workflows

    @Override
    public void saveGroup(String groupId, List<Member> members, long ttlMillis) {
        workflows.saveGroup(groupId, members, ttlMillis);
    }

    @Override
    public @Nullable List<Member> group(String groupId) {
        return workflows.group(groupId);
    }

    @Override
    public void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) {
        workflows.openChord(chordId, size, bodyJson, bodyTaskId, bodyTaskName, ttlMillis);
    }

    @Override
    public ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis) {
        return workflows.reportToChord(chordId, index, size, resultJson, failure, ttlMillis);
    }

    @Override
    public void closeChord(String chordId) {
        workflows.closeChord(chordId);
    }

    @Override
    public List<ChordStatus> chords(int max) {
        return workflows.chords(max);
    }

    @Override
    public void abandon(List<Abandoned> tasks, long ttlMillis) {
        workflows.abandon(tasks, ttlMillis);
    }

    // ------------------------------------------------------------------------------------------ schedules

    @Override
    public Map<String, ScheduleState> scheduleStates(Collection<String> names) {
        return schedules.states(names);
    }

    @Override
    public void recordFire(String name, long tickMillis, long ttlMillis) {
        schedules.recordFire(name, tickMillis, ttlMillis);
    }

    @Override
    public void setScheduleEnabled(String name, boolean enabled, long ttlMillis) {
        schedules.setEnabled(name, enabled, ttlMillis);
    }

    @Override
    public void keepSchedule(String name, long ttlMillis) {
        schedules.keep(name, ttlMillis);
    }

    // ------------------------------------------------------------------------------------------ dead letters

    @Override
    public List<DeadLetter> deadLetters(String queue, DeadLetterRead read) {
        return deadLetterStore.list(queue, read);
    }

    @Override
    public boolean requeueDeadLetter(String queue, String deadLetterId, String taskId, byte @Nullable [] body,
            int priority) {
        return deadLetterStore.requeue(queue, deadLetterId, taskId, body, priority);
    }

    @Override
    public boolean deleteDeadLetter(String queue, String deadLetterId) {
        return deadLetterStore.delete(queue, deadLetterId);
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

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3..12] {q}:s:0 .. {q}:s:9   KEYS[13] {q}:dead
     * ARGV[1] group   ARGV[2] max messages   ARGV[3] dead letters max length   ARGV[4] dead letters max age ms
     * ARGV[5] the error type of a quarantined message
     * Moves due messages to their priority's stream. A due id whose payload is missing, empty or not led by a
     * priority digit is quarantined: moved, as it is, to the dead letters with the reason.
     * Returns { promoted, ms until the next is due or -1, {id, reason, ...} of those quarantined }.
     */
    private static final LuaScript PROMOTE = new LuaScript("promote", """
            local now = now_ms()
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
            local quarantined = {}
            for _, id in ipairs(ids) do
              local v = redis.call('HGET', KEYS[2], id)
              local priority = v and read_int(string.sub(v, 1, 1))
              if priority then
                add_ready(KEYS[3 + priority], ARGV[1], id, string.sub(v, 2), '0', false)
              else
                local reason = 'malformed delayed task: its payload in ' .. KEYS[2]
                if not v then reason = 'malformed delayed task: it has no payload in ' .. KEYS[2]
                elseif v == '' then reason = reason .. ' is empty'
                else reason = reason .. ' does not start with a priority digit' end
                redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[3], '*', 'i', id, 'm', v or '', 'task', '',
                  'reason', reason, 'error', ARGV[5], 'message', reason, 'at', now, 'deliveries', 0, 'attempt', 0)
                quarantined[#quarantined + 1] = id
                quarantined[#quarantined + 1] = reason
              end
              redis.call('HDEL', KEYS[2], id)
              redis.call('ZREM', KEYS[1], id)
            end
            if #quarantined > 0 then redis.call('XTRIM', KEYS[13], 'MINID', now - tonumber(ARGV[4])) end
            local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            local promoted = #ids - #quarantined / 2
            if head[2] then return { promoted, math.max(0, tonumber(head[2]) - now), quarantined } end
            return { promoted, -1, quarantined }
            """, ScriptOutputType.MULTI);

    @Override
    public Promotion promoteDue(String queue, int max) {
        byte[][] k = new byte[13][];
        k[0] = keys.delayed(queue);
        k[1] = keys.delayedPayloads(queue);
        System.arraycopy(keys.priorityStreams(queue), 0, k, 2, 10);
        k[12] = keys.dead(queue);
        List<Object> reply = redis.await(PROMOTE.run(redis.commands(), k, bytes(RedisKeys.GROUP),
                bytes(Integer.toString(max)), bytes(Long.toString(deadLetters.maxLength())),
                bytes(Long.toString(deadLetters.maxAge().toMillis())), bytes(Outcome.QUARANTINE_ERROR)),
                "promote due tasks of queue '" + queue + "'");
        long untilNext = (Long) reply.get(1);
        List<Quarantined> quarantined = new ArrayList<>();
        List<?> flat = (List<?>) reply.get(2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            quarantined.add(new Quarantined(string(flat.get(i)), string(flat.get(i + 1))));
        }
        return new Promotion(((Long) reply.get(0)).intValue(), untilNext < 0 ? null : Duration.ofMillis(untilNext),
                quarantined);
    }

    /*
     * KEYS[1] {q}:d   ARGV[1] max
     * Makes up to max delayed tasks due at once (score 0), soonest first. Returns how many.
     */
    private static final LuaScript DUE_NOW = new LuaScript("due-now", """
            if redis.call('TYPE', KEYS[1])['ok'] ~= 'zset' then return 0 end
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf', 'LIMIT', 0, tonumber(ARGV[1]))
            for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', 0, id) end
            return #ids
            """, ScriptOutputType.INTEGER);

    /**
     * Moves every delayed task of the queue (countdown, eta, retry backoff) to its stream now, whatever its due time,
     * as {@link #promoteDue} moves due ones: for tests that run what waits without waiting (Sidekiq's
     * {@code drain_all}). Returns how many it moved. Not for production: a task due in an hour runs now.
     */
    public int promoteAll(String queue) {
        int moved = 0;
        for (int round = 0; round < 100_000; round++) {
            long madeDue = redis.await(DUE_NOW.run(redis.commands(), new byte[][] { keys.delayed(queue) },
                    bytes("1000")), "make the delayed tasks of queue '" + queue + "' due");
            Promotion promotion = promoteDue(queue, 1000);
            moved += promotion.promoted();
            if (madeDue == 0 && promotion.promoted() < 1000) {
                break;
            }
        }
        return moved;
    }

    /**
     * Empties this prefix for the next test as if no task had been submitted, while its workers go on: every queue's
     * waiting and delayed tasks (purged as {@link #purge} does: a task a worker holds finishes and is recorded), pauses,
     * dead letters, task records, uniqueness keys, limits, revocations, workflows and schedules' state. Kept: the
     * workers' registry and consumer groups, the catalog, the queue names. For tests (the test kit calls it between
     * test methods): never on the keys of a Redis that serves production.
     */
    public void forgetTasks() {
        for (String queue : queues()) {
            purge(queue);
            resume(queue);
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
     * Up to {@code max} of the queue's tasks that have not finished, read without taking them: ready ones and those
     * claimed by a worker (in claim order), then delayed ones (by due time). For tests and tools.
     */
    public List<WaitingTask> waiting(String queue, int max) {
        return inspector.waiting(queue, max);
    }

    @Override
    public AutoCloseable onEarlierDue(Consumer<String> listener) {
        return redis.subscriptions().subscribe(keys.wakeChannel(), message -> listener.accept(string(message)));
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public long heartbeat(WorkerInfo info, Duration ttl, Duration outageAfter) {
        long now = recovery.heartbeat(info, ttl, outageAfter);
        redis.subscriptions().reopenIfClosed(); // a worker lives on its notifications: revocations, pauses, wake-ups
        return now;
    }

    @Override
    public void deregister(String workerId) {
        recovery.deregister(workerId);
        BlockingReader reader = readers.remove(workerId);
        if (reader != null) {
            reader.close();
        }
    }

    @Override
    public Recovery recover(RecoveryPolicy policy) {
        return recovery.recover(policy);
    }

    // ------------------------------------------------------------------------------------------ inspection

    @Override
    public Set<String> queues() {
        return inspector.queues();
    }

    @Override
    public QueueStats stats(String queue) {
        return inspector.stats(List.of(queue)).get(0);
    }

    @Override
    public List<QueueStats> stats(Collection<String> queues) {
        return inspector.stats(queues);
    }

    @Override
    public List<WorkerInfo> workers() {
        return inspector.workers();
    }

    @Override
    public boolean ping() {
        try {
            return "PONG".equals(redis.await(redis.commands().ping(), "ping", Duration.ofSeconds(2)));
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    @Override
    public void close() {
        synchronized (pausedQueues) {
            if (controlSubscription != null) {
                controlSubscription.close();
                controlSubscription = null;
            }
        }
        SubmitConnection submits = submitConnection;
        if (submits != null && !RedisConnections.isClosed(submits.connection)) {
            submits.connection.close(); // even cut off: it would reconnect by itself
        }
        readers.values().forEach(BlockingReader::close);
        readers.clear();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static <T> Map<String, List<T>> groupBy(List<T> items, java.util.function.Function<T, String> key) {
        Map<String, List<T>> groups = new LinkedHashMap<>();
        for (T item : items) {
            groups.computeIfAbsent(key.apply(item), k -> new ArrayList<>()).add(item);
        }
        return groups;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
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
