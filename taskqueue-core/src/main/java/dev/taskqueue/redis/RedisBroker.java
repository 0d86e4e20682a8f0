package dev.taskqueue.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkerInfo;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * {taskqueue:q}:dead          STREAM  dead letters, MAXLEN ~ and MINID ~ (count and age bounded)
 * {taskqueue}:workers         ZSET    worker id by last heartbeat (broker time)
 * {taskqueue}:worker:&lt;id&gt;     HASH    the worker's info, expiring with its liveness
 * {taskqueue}:queues          SET     every queue name used
 * {taskqueue}:janitor         STRING  PX lock: one worker at a time recovers lost tasks
 * </pre>
 * A claim is {@code XREADGROUP}: the stream's pending-entries list records who holds what, atomically. The entry
 * id is the lease: acknowledging ({@code XACK}) succeeds only while the entry is pending, so an outcome from a
 * worker whose task was taken back is refused. Acknowledged entries are deleted ({@code XDEL}), so streams hold
 * only waiting and running tasks. A pending record (state PENDING or SCHEDULED) exists only for tasks submitted
 * with a caller-chosen id (it makes resubmission idempotent); other tasks get one when they start.
 *
 * <p>Every script declares all its keys in {@code KEYS[]}, all in one slot.
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
    private final Map<String, BlockingReader> readers = new ConcurrentHashMap<>();
    private final Set<String> knownQueues = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> wakeListeners = new CopyOnWriteArrayList<>();
    private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> wakeSubscription;

    /**
     * How long and how many dead letters a queue keeps.
     *
     * @param maxLength at most this many (approximately: trimmed by whole stream nodes)
     * @param maxAge none older than this
     */
    public record DeadLetterPolicy(long maxLength, Duration maxAge) {

        /** 10,000 per queue, for 7 days. */
        public static final DeadLetterPolicy DEFAULT = new DeadLetterPolicy(10_000, Duration.ofDays(7));
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
    private volatile @Nullable StatefulConnection<byte[], byte[]> submitConnection;

    public RedisBroker(RedisConnections redis, String keyPrefix, DeadLetterPolicy deadLetters) {
        this(redis, keyPrefix, deadLetters, Durability.PRIMARY);
    }

    public RedisBroker(RedisConnections redis, String keyPrefix, DeadLetterPolicy deadLetters,
            Durability durability) {
        this.redis = redis;
        this.keys = new RedisKeys(keyPrefix);
        this.deadLetters = deadLetters;
        this.durability = durability;
        this.recovery = new RedisRecovery(redis, keys, deadLetters);
        this.inspector = new RedisInspector(redis, keys);
    }

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
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3..12] {q}:s:0 .. {q}:s:9   KEYS[12+i] {q}:t:<id of message i>
     * ARGV[1] group   ARGV[2] wake channel   ARGV[3] queue name
     * then 8 per message: id, priority digit, body, delay ms, due epoch ms ('' = none), deduplicate '1'|'0',
     *                     task name, record ttl ms
     * Returns one integer per message: 1 stored, 0 duplicate (its caller-chosen id already has a record).
     * A delayed message that became the earliest of its queue is announced on the wake channel.
     */
    private static final LuaScript SUBMIT = new LuaScript("submit", """
            local now = now_ms()
            local out = {}
            local announce = false
            local n = (#ARGV - 3) / 8
            for i = 1, n do
              local b = 3 + (i - 1) * 8
              local id, prio, body = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
              local due, dedupe, name, ttl = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
              local record = KEYS[12 + i]
              if dedupe == '1' and redis.call('EXISTS', record) == 1 then
                out[i] = 0
              else
                local at = now + tonumber(ARGV[b + 4])
                if due ~= '' then at = tonumber(due) end
                local state = 'PENDING'
                if at > now then
                  state = 'SCHEDULED'
                  redis.call('HSET', KEYS[2], id, prio .. body)
                  redis.call('ZADD', KEYS[1], at, id)
                  if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == id then announce = true end
                else
                  local stream = KEYS[3 + tonumber(prio)]
                  if redis.call('EXISTS', stream) == 0 then
                    redis.call('XGROUP', 'CREATE', stream, ARGV[1], '0', 'MKSTREAM')
                  end
                  redis.call('XADD', stream, '*', 'i', id, 'm', body, 'd', '0')
                end
                if dedupe == '1' then
                  redis.call('HSET', record, 'state', state, 'task', name, 'queue', ARGV[3], 'submitted', now)
                  redis.call('PEXPIRE', record, ttl)
                end
                out[i] = 1
              end
            end
            if announce then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
            return out
            """, ScriptOutputType.MULTI);

    @Override
    public List<SubmitResult> submit(List<OutgoingMessage> messages) {
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byQueue.computeIfAbsent(messages.get(i).queue(), q -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        List<List<Integer>> positions = new ArrayList<>();
        RedisClusterAsyncCommands<byte[], byte[]> commands = submitCommands();
        for (Map.Entry<String, List<Integer>> entry : byQueue.entrySet()) {
            String queue = entry.getKey();
            List<Integer> indexes = entry.getValue();
            // Large bulks go in slices, so that one script does not hold Redis for long.
            for (int from = 0; from < indexes.size(); from += SUBMIT_SLICE) {
                List<Integer> slice = indexes.subList(from, Math.min(indexes.size(), from + SUBMIT_SLICE));
                replies.add(SUBMIT.run(commands, submitKeys(queue, slice, messages), submitArgs(queue, slice, messages)));
                positions.add(slice);
            }
            rememberQueue(queue);
        }
        SubmitResult[] results = new SubmitResult[messages.size()];
        for (int r = 0; r < replies.size(); r++) {
            List<Object> reply = redis.await(replies.get(r), "store " + messages.size() + " task(s)");
            List<Integer> slice = positions.get(r);
            for (int i = 0; i < slice.size(); i++) {
                results[slice.get(i)] = ((Long) reply.get(i)) == 1L ? SubmitResult.ACCEPTED : SubmitResult.DUPLICATE;
            }
        }
        if (durability.replicas() > 0) {
            long acknowledged = redis.await(commands.waitForReplication(durability.replicas(),
                    durability.timeout().toMillis()), "wait for replicas", durability.timeout().plus(redis.timeout()));
            if (acknowledged < durability.replicas()) {
                throw new ReplicationException((int) acknowledged, durability.replicas(),
                        durability.timeout().toMillis());
            }
        }
        return List.of(results);
    }

    /**
     * The connection submits go on. With replica acknowledgement it is a dedicated one: {@code WAIT} then covers
     * exactly the submits, and blocks neither the worker's claims nor its acknowledgements.
     */
    private RedisClusterAsyncCommands<byte[], byte[]> submitCommands() {
        if (durability.replicas() == 0) {
            return redis.commands();
        }
        StatefulConnection<byte[], byte[]> connection = submitConnection;
        if (connection == null || !connection.isOpen()) {
            synchronized (this) {
                connection = submitConnection;
                if (connection == null || !connection.isOpen()) {
                    connection = redis.dedicated();
                    submitConnection = connection;
                }
            }
        }
        return RedisConnections.async(connection);
    }

    private static final int SUBMIT_SLICE = 500;

    private byte[][] submitKeys(String queue, List<Integer> slice, List<OutgoingMessage> messages) {
        byte[][] k = new byte[12 + slice.size()][];
        k[0] = keys.delayed(queue);
        k[1] = keys.delayedPayloads(queue);
        System.arraycopy(keys.priorityStreams(queue), 0, k, 2, 10);
        for (int i = 0; i < slice.size(); i++) {
            k[12 + i] = keys.record(queue, messages.get(slice.get(i)).id());
        }
        return k;
    }

    private byte[][] submitArgs(String queue, List<Integer> slice, List<OutgoingMessage> messages) {
        byte[][] a = new byte[3 + 8 * slice.size()][];
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
        }
        return a;
    }

    /** Adds the queue to the registry of queue names, once per broker. Not in the submit script: another slot. */
    private void rememberQueue(String queue) {
        if (knownQueues.add(queue)) {
            redis.commands().sadd(keys.queues(), bytes(queue)).whenComplete((added, failure) -> {
                if (failure != null) {
                    knownQueues.remove(queue); // try again with the next submit
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------ claim

    @Override
    public void declare(Collection<String> queues) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
        List<CompletableFuture<?>> replies = new ArrayList<>();
        for (String queue : queues) {
            replies.add(DECLARE.run(commands, keys.streams(queue), bytes(RedisKeys.GROUP)));
            replies.add(commands.sadd(keys.queues(), bytes(queue)).toCompletableFuture());
            knownQueues.add(queue);
        }
        for (CompletableFuture<?> reply : replies) {
            redis.await(reply, "declare queues " + queues);
        }
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
     * KEYS: streams in claim order (per queue: redelivery, then priority 9 .. 0)
     * ARGV[1] group   ARGV[2] consumer   ARGV[3] max messages
     * Returns { flat list of 5 per message: key index, entry id, task id, body, deliveries,
     *           list of key indexes whose group is missing }.
     */
    private static final LuaScript CLAIM = new LuaScript("claim", """
            local left = tonumber(ARGV[3])
            local out, missing = {}, {}
            for k = 1, #KEYS do
              if left <= 0 then break end
              local res = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', KEYS[k], '>')
              if type(res) == 'table' and res.err then
                missing[#missing + 1] = k
              elseif res then
                for _, e in ipairs(res[1][2]) do
                  local f = e[2]
                  local id, body, d = '', '', '0'
                  for j = 1, #f, 2 do
                    if f[j] == 'i' then id = f[j + 1] elseif f[j] == 'm' then body = f[j + 1]
                    elseif f[j] == 'd' then d = f[j + 1] end
                  end
                  out[#out + 1] = k
                  out[#out + 1] = e[1]
                  out[#out + 1] = id
                  out[#out + 1] = body
                  out[#out + 1] = d
                  left = left - 1
                end
              end
            end
            return { out, missing }
            """, ScriptOutputType.MULTI);

    @Override
    public List<Delivery> claim(String consumer, List<String> queues, int max) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        List<Delivery> claimed = new ArrayList<>();
        // Standalone Redis runs one script over every queue; a Cluster needs one script per queue (one slot each).
        List<List<String>> groups = redis.isCluster() ? queues.stream().map(List::of).toList() : List.of(queues);
        for (List<String> group : groups) {
            int left = max - claimed.size();
            if (left <= 0) {
                break;
            }
            List<StreamRef> refs = new ArrayList<>();
            for (String queue : group) {
                for (String band : keys.bandsInClaimOrder()) {
                    refs.add(new StreamRef(queue, band));
                }
            }
            byte[][] k = refs.stream().map(r -> keys.stream(r.queue(), r.band())).toArray(byte[][]::new);
            List<Object> reply = redis.await(CLAIM.run(redis.commands(), k, bytes(RedisKeys.GROUP), bytes(consumer),
                    bytes(Integer.toString(left))), "claim tasks from " + group);
            List<?> flat = (List<?>) reply.get(0);
            for (int i = 0; i < flat.size(); i += 5) {
                StreamRef ref = refs.get(((Long) flat.get(i)).intValue() - 1);
                claimed.add(new Delivery(ref.queue(), ref.band(), string(flat.get(i + 1)), string(flat.get(i + 2)),
                        (byte[]) flat.get(i + 3), Integer.parseInt(string(flat.get(i + 4)))));
            }
            if (!((List<?>) reply.get(1)).isEmpty()) {
                declare(group); // a stream lost its group (keys deleted by hand): recreate, nothing is skipped
            }
        }
        return claimed;
    }

    private record StreamRef(String queue, String band) {
    }

    @Override
    public List<Delivery> awaitAndClaim(String consumer, List<String> queues, int max, Duration timeout) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        BlockingReader reader = readers.computeIfAbsent(consumer, c -> new BlockingReader());
        List<String> waitOn = queues;
        if (redis.isCluster() && queues.size() > 1) {
            // One blocking read cannot span slots: wait on the queues in turn, briefly each.
            waitOn = List.of(queues.get(reader.nextQueue(queues.size())));
            timeout = Duration.ofMillis(Math.min(timeout.toMillis(), 100));
        }
        List<StreamOffset<byte[]>> offsets = new ArrayList<>();
        for (String queue : waitOn) {
            for (String band : keys.bandsInClaimOrder()) {
                offsets.add(StreamOffset.lastConsumed(keys.stream(queue, band)));
            }
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
            deliveries.add(toDelivery(message));
        }
        if (deliveries.size() > max) {
            // Several priority streams filled at the same instant: never hold more than the free slots.
            release(consumer, deliveries.subList(max, deliveries.size()));
            return new ArrayList<>(deliveries.subList(0, max));
        }
        return deliveries;
    }

    private Delivery toDelivery(StreamMessage<byte[], byte[]> message) {
        String key = string(message.getStream());
        int sep = key.lastIndexOf(":s:");
        String band = key.substring(sep + 3);
        String queue = key.substring(keys.prefix().length() + 2, key.indexOf('}'));
        byte[] id = null;
        byte[] body = new byte[0];
        byte[] deliveries = null;
        for (Map.Entry<byte[], byte[]> field : message.getBody().entrySet()) {
            switch (string(field.getKey())) {
                case "i" -> id = field.getValue();
                case "m" -> body = field.getValue();
                case "d" -> deliveries = field.getValue();
                default -> {
                }
            }
        }
        return new Delivery(queue, band, message.getId(), id == null ? "" : string(id), body,
                deliveries == null ? 0 : Integer.parseInt(string(deliveries)));
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
        private int rotation;

        synchronized List<StreamMessage<byte[], byte[]>> read(String consumer, List<StreamOffset<byte[]>> offsets,
                Duration timeout) {
            if (connection == null || !connection.isOpen()) {
                connection = redis.dedicated();
                connection.setTimeout(timeout.plus(redis.timeout()));
                if (!redis.isCluster()) {
                    clientId = redis.await(RedisConnections.async(connection).clientId(), "identify a connection");
                }
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
            long id = clientId;
            if (id >= 0) {
                redis.commands().clientUnblock(id, io.lettuce.core.UnblockType.TIMEOUT);
            }
        }

        synchronized void close() {
            if (connection != null && connection.isOpen()) {
                connection.close();
                connection = null;
            }
        }
    }

    /*
     * KEYS: task records.   ARGV[1] worker id, then 4 per record: task name, queue, attempt, ttl ms.
     * Sets state STARTED unless the task already finished (a slow notice must not undo an outcome).
     */
    private static final LuaScript MARK_STARTED = new LuaScript("mark-started", """
            local now = now_ms()
            for i, key in ipairs(KEYS) do
              local state = redis.call('HGET', key, 'state')
              if state ~= 'SUCCESS' and state ~= 'FAILURE' and state ~= 'REVOKED' then
                local b = 1 + (i - 1) * 4
                redis.call('HSET', key, 'state', 'STARTED', 'worker', ARGV[1], 'started', now,
                  'task', ARGV[b + 1], 'queue', ARGV[b + 2], 'attempt', ARGV[b + 3])
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
            byte[][] a = new byte[1 + 4 * tasks.size()][];
            a[0] = bytes(consumer);
            for (int i = 0; i < tasks.size(); i++) {
                Started s = tasks.get(i);
                k[i] = keys.record(s.queue(), s.taskId());
                a[1 + 4 * i] = bytes(s.taskName());
                a[2 + 4 * i] = bytes(s.queue());
                a[3 + 4 * i] = bytes(Integer.toString(s.attempt()));
                a[4 + 4 * i] = bytes(Long.toString(s.recordTtlMillis()));
            }
            // Informational: not awaited, so that it costs the worker no round trip.
            MARK_STARTED.run(redis.commands(), k, a).exceptionally(ex -> {
                log.debug("Could not mark {} task(s) as started", tasks.size(), ex);
                return null;
            });
        }
    }

    // ------------------------------------------------------------------------------------------ acknowledge

    /*
     * At least once: a task is acknowledged only after it finished, and its outcome is recorded in the same
     * atomic step. It is worse to lose a task than to run it twice.
     *
     * KEYS[1] {q}:dead   then 2 per outcome: KEYS[2i] its stream, KEYS[2i+1] its record
     * ARGV[1] group   ARGV[2] worker id   ARGV[3] notify channel prefix   ARGV[4] dead letters max length
     * ARGV[5] dead letters max age ms
     * then 13 per outcome: entry id, task id, kind S (succeeded) | F (failed) | Q (quarantined) | R (revoked),
     *                      store record 1|0, record ttl ms, task name, queue,
     *                      result json, error type, error message, error stack, attempt, dead letter reason
     * Returns one integer per outcome: 1 recorded, 0 refused (the entry is no longer pending: the lease was lost).
     */
    private static final LuaScript ACKNOWLEDGE = new LuaScript("acknowledge", """
            local now = now_ms()
            local F = 13
            local out = {}
            local dead = false
            for i = 1, (#ARGV - 5) / F do
              local b = 5 + (i - 1) * F
              local entry, id, kind, store, ttl = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
              local stream, record = KEYS[2 * i], KEYS[2 * i + 1]
              if redis.call('XACK', stream, ARGV[1], entry) == 0 then
                out[i] = 0
              else
                if kind == 'F' or kind == 'Q' then
                  local body, d = '', '0'
                  local e = redis.call('XRANGE', stream, entry, entry)[1]
                  if e then
                    for j = 1, #e[2], 2 do
                      if e[2][j] == 'm' then body = e[2][j + 1] elseif e[2][j] == 'd' then d = e[2][j + 1] end
                    end
                  end
                  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'i', id, 'm', body, 'task', ARGV[b + 6],
                    'reason', ARGV[b + 13], 'error', ARGV[b + 9], 'message', ARGV[b + 10], 'stack', ARGV[b + 11],
                    'at', now, 'worker', ARGV[2], 'deliveries', d, 'attempt', ARGV[b + 12])
                  dead = true
                end
                redis.call('XDEL', stream, entry)
                if store == '1' or redis.call('EXISTS', record) == 1 then
                  if kind == 'S' then
                    redis.call('HSET', record, 'state', 'SUCCESS', 'finished', now, 'worker', ARGV[2],
                      'task', ARGV[b + 6], 'queue', ARGV[b + 7], 'attempt', ARGV[b + 12])
                    if store == '1' then redis.call('HSET', record, 'result', ARGV[b + 8]) end
                  elseif kind == 'R' then
                    redis.call('HSET', record, 'state', 'REVOKED', 'finished', now, 'task', ARGV[b + 6],
                      'queue', ARGV[b + 7], 'error.type', ARGV[b + 9], 'error.message', ARGV[b + 10])
                  else
                    redis.call('HSET', record, 'state', 'FAILURE', 'finished', now, 'worker', ARGV[2],
                      'task', ARGV[b + 6], 'queue', ARGV[b + 7], 'attempt', ARGV[b + 12],
                      'error.type', ARGV[b + 9], 'error.message', ARGV[b + 10], 'error.stack', ARGV[b + 11])
                  end
                  redis.call('PEXPIRE', record, ttl)
                  local waiters = redis.call('HGET', record, 'notify')
                  if waiters then
                    for w in string.gmatch(waiters, '%S+') do redis.call('PUBLISH', ARGV[3] .. w, id) end
                    redis.call('HDEL', record, 'notify')
                  end
                end
                out[i] = 1
              end
            end
            if dead then redis.call('XTRIM', KEYS[1], 'MINID', '~', now - tonumber(ARGV[5])) end
            return out
            """, ScriptOutputType.MULTI);

    @Override
    public List<Boolean> acknowledge(String consumer, List<Outcome> outcomes) {
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            byQueue.computeIfAbsent(outcomes.get(i).delivery().queue(), q -> new ArrayList<>()).add(i);
        }
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        List<List<Integer>> positions = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> entry : byQueue.entrySet()) {
            String queue = entry.getKey();
            List<Integer> indexes = entry.getValue();
            byte[][] k = new byte[1 + 2 * indexes.size()][];
            byte[][] a = new byte[5 + 13 * indexes.size()][];
            k[0] = keys.dead(queue);
            a[0] = bytes(RedisKeys.GROUP);
            a[1] = bytes(consumer);
            a[2] = bytes(keys.notifyChannelPrefix());
            a[3] = bytes(Long.toString(deadLetters.maxLength()));
            a[4] = bytes(Long.toString(deadLetters.maxAge().toMillis()));
            int ai = 5;
            for (int j = 0; j < indexes.size(); j++) {
                Outcome o = outcomes.get(indexes.get(j));
                Delivery d = o.delivery();
                k[1 + 2 * j] = keys.stream(queue, d.stream());
                k[2 + 2 * j] = keys.record(queue, d.taskId());
                TaskError error = o.error();
                a[ai++] = bytes(d.entryId());
                a[ai++] = bytes(d.taskId());
                a[ai++] = bytes(switch (o.kind()) {
                    case SUCCEEDED -> "S";
                    case FAILED -> "F";
                    case QUARANTINED -> "Q";
                    case REVOKED -> "R";
                });
                a[ai++] = bytes(o.storeRecord() ? "1" : "0");
                a[ai++] = bytes(Long.toString(o.recordTtlMillis()));
                a[ai++] = bytes(o.taskName() == null ? "" : o.taskName());
                a[ai++] = bytes(queue);
                a[ai++] = bytes(o.resultJson() == null ? "null" : o.resultJson());
                a[ai++] = bytes(error == null ? "" : error.type());
                a[ai++] = bytes(error == null || error.message() == null ? "" : error.message());
                a[ai++] = bytes(error == null || error.stackTrace() == null ? "" : error.stackTrace());
                a[ai++] = bytes(Integer.toString(o.attempt()));
                a[ai++] = bytes(o.deadLetterReason() == null ? "" : o.deadLetterReason());
            }
            replies.add(ACKNOWLEDGE.run(redis.commands(), k, a));
            positions.add(indexes);
        }
        Boolean[] recorded = new Boolean[outcomes.size()];
        for (int r = 0; r < replies.size(); r++) {
            List<Object> reply = redis.await(replies.get(r), "record " + outcomes.size() + " outcome(s)");
            List<Integer> indexes = positions.get(r);
            for (int j = 0; j < indexes.size(); j++) {
                recorded[indexes.get(j)] = ((Long) reply.get(j)) == 1L;
            }
        }
        return List.of(recorded);
    }

    // ------------------------------------------------------------------------------------------ leases

    @Override
    public void extendLeases(String consumer, List<Delivery> running) {
        Map<String, List<Delivery>> byStream = groupBy(running, d -> d.queue() + '\u0000' + d.stream());
        List<CompletableFuture<?>> replies = new ArrayList<>();
        for (List<Delivery> deliveries : byStream.values()) {
            Delivery first = deliveries.get(0);
            String[] ids = deliveries.stream().map(Delivery::entryId).toArray(String[]::new);
            // XCLAIM to ourselves resets the entry's idle time; JUSTID leaves its delivery count alone. An entry
            // taken back meanwhile is no longer pending and is ignored.
            replies.add(redis.commands().xclaim(keys.stream(first.queue(), first.stream()),
                    io.lettuce.core.Consumer.from(bytes(RedisKeys.GROUP), bytes(consumer)),
                    XClaimArgs.Builder.justid().minIdleTime(0), ids).toCompletableFuture());
        }
        for (CompletableFuture<?> reply : replies) {
            redis.await(reply, "extend the leases of " + running.size() + " running task(s)");
        }
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
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3..12] {q}:s:0 .. {q}:s:9
     * ARGV[1] group   ARGV[2] max messages
     * Moves due messages to their priority's stream. Returns { promoted, ms until the next is due or -1 }.
     */
    private static final LuaScript PROMOTE = new LuaScript("promote", """
            local now = now_ms()
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
            for _, id in ipairs(ids) do
              local v = redis.call('HGET', KEYS[2], id)
              if v then
                local stream = KEYS[3 + tonumber(string.sub(v, 1, 1))]
                if redis.call('EXISTS', stream) == 0 then
                  redis.call('XGROUP', 'CREATE', stream, ARGV[1], '0', 'MKSTREAM')
                end
                redis.call('XADD', stream, '*', 'i', id, 'm', string.sub(v, 2), 'd', '0')
                redis.call('HDEL', KEYS[2], id)
              end
              redis.call('ZREM', KEYS[1], id)
            end
            local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            if head[2] then return { #ids, math.max(0, tonumber(head[2]) - now) } end
            return { #ids, -1 }
            """, ScriptOutputType.MULTI);

    @Override
    public Promotion promoteDue(String queue, int max) {
        byte[][] k = new byte[12][];
        k[0] = keys.delayed(queue);
        k[1] = keys.delayedPayloads(queue);
        System.arraycopy(keys.priorityStreams(queue), 0, k, 2, 10);
        List<Object> reply = redis.await(PROMOTE.run(redis.commands(), k, bytes(RedisKeys.GROUP),
                bytes(Integer.toString(max))), "promote due tasks of queue '" + queue + "'");
        long untilNext = (Long) reply.get(1);
        return new Promotion(((Long) reply.get(0)).intValue(), untilNext < 0 ? null : Duration.ofMillis(untilNext));
    }

    @Override
    public AutoCloseable onEarlierDue(Consumer<String> listener) {
        synchronized (wakeListeners) {
            if (wakeSubscription == null) {
                StatefulRedisPubSubConnection<byte[], byte[]> connection = redis.pubSub();
                connection.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        String queue = string(message);
                        wakeListeners.forEach(l -> l.accept(queue));
                    }
                });
                redis.await(connection.async().subscribe(bytes(keys.wakeChannel())), "subscribe to delayed tasks");
                wakeSubscription = connection;
            }
            wakeListeners.add(listener);
        }
        return () -> wakeListeners.remove(listener);
    }

    // ------------------------------------------------------------------------------------------ liveness

    @Override
    public void heartbeat(WorkerInfo info, Duration ttl) {
        recovery.heartbeat(info, ttl);
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
        StatefulConnection<byte[], byte[]> submits = submitConnection;
        if (submits != null && submits.isOpen()) {
            submits.close();
        }
        readers.values().forEach(BlockingReader::close);
        readers.clear();
        StatefulRedisPubSubConnection<byte[], byte[]> subscription = wakeSubscription;
        if (subscription != null && subscription.isOpen()) {
            subscription.close();
        }
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
