package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.broker.Broker.Recovery;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.WorkerInfo;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker liveness and the recovery of tasks that lost their worker:
 * <ol>
 * <li>every worker heartbeats: its id scored by the broker's clock in {@code {p}:workers}, its info in a hash
 * that expires with its liveness, the queues it consumes in {@code {p}:worker-queues} (until it is removed) and
 * their use in {@link RedisQueueNames};</li>
 * <li>a janitor (one at a time, under a short lock) finds workers whose last heartbeat is older than the
 * liveness timeout, puts every task they held back on the redelivery stream, and removes them; it looks in the
 * queues each consumed (in every queue known only for a worker that did not say: an earlier version);</li>
 * <li>it also takes back any lease not extended within the visibility timeout (a worker that lost a task
 * without dying), in the queues the registered workers consume: a task is held only in a queue its worker
 * consumes, and a queue no worker consumes runs nothing until one does;</li>
 * <li>then it forgets a few queues unused for the retention ({@link RedisQueueNames}).</li>
 * </ol>
 * So a janitor's round costs Redis in proportion to the workers and the queues they consume, not to every queue name
 * ever used.
 * Each time counts one delivery in the task's entry. A task taken back too often (its workers keep dying: a poison
 * pill) is still put back: the worker that takes it records it as failed without running it, through the same
 * acknowledgement as any failure (dead letter, record, waiters, workflow error links, events and metrics).
 * Taking back is always a copy to the redelivery stream plus XACK and XDEL of the old entry, in one script
 * that first checks the entry is still held as expected; the old entry id dies, so the old holder's ack is
 * refused.
 */
final class RedisRecovery {

    private static final Logger log = LoggerFactory.getLogger(RedisRecovery.class);

    /** Candidates examined per script call, and calls per queue per recovery: bounds the work of one round. */
    private static final int SCAN_BATCH = 100;
    private static final int MAX_ROUNDS = 50;

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;
    private final String lockToken = UUID.randomUUID().toString();

    RedisRecovery(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
    }

    /** How long the fleet's last heartbeat and its start of beating are kept (they only matter for minutes). */
    private static final long BEAT_TTL_MILLIS = Duration.ofDays(1).toMillis();

    /*
     * KEYS[1] {p}:workers   KEYS[2] {p}:worker:<id>   KEYS[3] {p}:queues   KEYS[4] {p}:beat
     * KEYS[5] {p}:beating-since   KEYS[6] {p}:queue-use   KEYS[7] {p}:worker-queues
     * ARGV[1] worker id   ARGV[2] ttl ms   ARGV[3] outage: no heartbeat from anyone for this long (ms)
     * ARGV[4] TTL of KEYS[4] and KEYS[5] (ms)   ARGV[5..] field, value pairs of the info, then '--', then queues
     * Returns the broker's time.
     */
    private static final LuaScript HEARTBEAT = new LuaScript("heartbeat", """
            local now = now_ms()
            local last = read_int(redis.call('GET', KEYS[4]))
            if last == nil or now - last > tonumber(ARGV[3]) then
              redis.call('SET', KEYS[5], now, 'PX', ARGV[4])
            end
            redis.call('SET', KEYS[4], now, 'PX', ARGV[4])
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            local i = 5
            while ARGV[i] ~= '--' do
              redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
              i = i + 2
            end
            redis.call('HSET', KEYS[2], 'heartbeat', now)
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            local consumed = {}
            for j = i + 1, #ARGV do
              redis.call('SADD', KEYS[3], ARGV[j])
              redis.call('ZADD', KEYS[6], now, ARGV[j])
              consumed[#consumed + 1] = ARGV[j]
            end
            redis.call('HSET', KEYS[7], ARGV[1], table.concat(consumed, ','))
            return now
            """, ScriptOutputType.INTEGER);

    long heartbeat(WorkerInfo info, String runningJson, Duration ttl, Duration outageAfter) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(info.id()));
        args.add(bytes(Long.toString(ttl.toMillis())));
        args.add(bytes(Long.toString(outageAfter.toMillis())));
        args.add(bytes(Long.toString(BEAT_TTL_MILLIS)));
        Map<String, String> fields = Map.ofEntries(Map.entry("host", info.host()),
                Map.entry("pid", Long.toString(info.pid())), Map.entry("queues", String.join(",", info.queues())),
                Map.entry("concurrency", Integer.toString(info.concurrency())),
                Map.entry("maxConcurrency", Integer.toString(info.maxConcurrency())),
                Map.entry("active", Integer.toString(info.active())),
                Map.entry("processed", Long.toString(info.processed())),
                Map.entry("failed", Long.toString(info.failed())), Map.entry("started", Long.toString(info.startedAt())),
                Map.entry("state", info.state()), Map.entry("running", runningJson));
        fields.forEach((name, value) -> {
            args.add(bytes(name));
            args.add(bytes(value));
        });
        args.add(bytes("--"));
        info.queues().forEach(q -> args.add(bytes(q)));
        Long now = redis.await(HEARTBEAT.run(redis.commands(), new byte[][] { keys.workers(), keys.worker(info.id()),
                keys.queues(), keys.lastBeat(), keys.beatingSince(), keys.queueUse(), keys.workerQueues() },
                args.toArray(byte[][]::new)),
                "record the heartbeat of worker " + info.id());
        return now;
    }

    void deregister(String workerId) {
        forgetWorker(workerId, Long.MAX_VALUE, "deregister worker " + workerId);
    }

    /** Removes the worker unless it heartbeat since {@code deadBefore}. */
    private void forgetWorker(String workerId, long deadBefore, String what) {
        redis.await(FORGET_WORKER.run(redis.commands(), new byte[][] { keys.workers(), keys.worker(workerId),
                keys.workerQueues() }, bytes(workerId), bytes(Long.toString(deadBefore))), what);
    }

    // ------------------------------------------------------------------------------------------ recovery

    Recovery recover(RecoveryPolicy policy) {
        if (!lock(policy.livenessTimeout())) {
            return new Recovery(List.of(), 0);
        }
        try {
            var beatingSinceReply = redis.commands().get(keys.beatingSince()).toCompletableFuture();
            String judge = policy.recoveringWorker();
            var judgeBeatReply = judge == null ? null
                    : redis.commands().zscore(keys.workers(), bytes(judge)).toCompletableFuture();
            List<byte[]> time = redis.await(redis.commands().time(), "read the time");
            long now = Long.parseLong(string(time.get(0))) * 1000 + Long.parseLong(string(time.get(1))) / 1000;
            long beatingSince = millisOrZero(redis.await(beatingSinceReply, "read when heartbeats resumed"));
            long deadBefore = now - policy.livenessTimeout().toMillis();
            // A worker that Redis would find dead judges no one: its process may have been frozen after its janitor
            // found its heartbeats sound (through an outage, say) and woken before any heartbeat since, when its live
            // peers' last ones are as old as the outage (FrozenWorkerIT). Its next heartbeat lets it judge again.
            if (judgeBeatReply != null) {
                Double judgeBeat = redis.await(judgeBeatReply, "read the heartbeat of worker " + judge);
                if (judgeBeat == null || judgeBeat < deadBefore) {
                    return new Recovery(List.of(), 0);
                }
            }
            // Time during which no worker could heartbeat (Redis was down, or every worker paused) is not silence:
            // after it, every worker gets a whole liveness timeout (and every lease a visibility timeout) again.
            Workers workers = workers(beatingSince > deadBefore ? -1 : deadBefore, policy.recoveringWorker());
            List<String> dead = new ArrayList<>(workers.dead().keySet());
            int[] redelivered = new int[1];
            List<String> failures = new ArrayList<>();
            for (String worker : dead) {
                boolean all = true;
                for (String queue : workers.dead().get(worker)) {
                    all &= isolated(failures, "take back the tasks of worker " + worker + " in queue '" + queue + "'",
                            () -> {
                                takeBack(queue, "consumer", worker, redelivered);
                                redis.await(FORGET_CONSUMER.run(redis.commands(), keys.streams(queue),
                                        bytes(RedisKeys.GROUP), bytes(worker)), "forget worker " + worker);
                            });
                }
                if (!all) {
                    continue; // forgotten once every task of it is back: the next recovery tries again
                }
                forgetWorker(worker, deadBefore, "forget worker " + worker);
                log.warn("Worker {} stopped heartbeating for over {}; its tasks were handed to other workers",
                        worker, policy.livenessTimeout());
            }
            if (beatingSince <= now - policy.visibilityTimeout().toMillis()) {
                for (String queue : workers.consumed()) {
                    isolated(failures, "take back the idle tasks of queue '" + queue + "'", () -> takeBack(queue,
                            "idle", Long.toString(policy.visibilityTimeout().toMillis()), redelivered));
                }
            }
            isolated(failures, "forget unused queues", () -> queueNames.forgetUnused(now, failures));
            if (!failures.isEmpty()) {
                throw new TaskQueueException("Could not " + String.join("; nor ", failures) + ". The rest was "
                        + "recovered (" + redelivered[0] + " task(s) delivered again); the next recovery tries again");
            }
            return new Recovery(dead, redelivered[0]);
        }
        finally {
            unlock();
        }
    }

    /*
     * KEYS[1] {p}:workers   KEYS[2] {p}:worker-queues   KEYS[3] {p}:queues
     * ARGV[1] dead before (ms), or -1 to find no worker dead   ARGV[2] the recovering worker (never dead)
     * Returns { 2 per dead worker: its id, the queues it consumed ('' when it did not say: then every queue name
     *           follows), the queues of every registered worker (a list of comma-separated lists),
     *           every queue name when a dead worker's queues are unknown, else none }.
     * A dead worker: silent since before ARGV[1], or with queues and no heartbeat entry (removed by an earlier
     * version, or a stop cut short), whose tasks are put back all the same.
     */
    private static final LuaScript WORKERS = new LuaScript("workers", """
            local dead, consumed, unknown = {}, {}, false
            local registered = redis.call('HGETALL', KEYS[2])
            for j = 2, #registered, 2 do consumed[#consumed + 1] = registered[j] end
            if tonumber(ARGV[1]) >= 0 then
              for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])) do
                if worker ~= ARGV[2] then
                  local queues = redis.call('HGET', KEYS[2], worker)
                  dead[#dead + 1] = worker
                  dead[#dead + 1] = queues or ''
                  unknown = unknown or not queues
                end
              end
              for j = 1, #registered, 2 do
                if registered[j] ~= ARGV[2] and not redis.call('ZSCORE', KEYS[1], registered[j]) then
                  dead[#dead + 1] = registered[j]
                  dead[#dead + 1] = registered[j + 1]
                end
              end
            end
            local names = {}
            if unknown then names = redis.call('SMEMBERS', KEYS[3]) end
            return { dead, consumed, names }
            """, ScriptOutputType.MULTI);

    /**
     * The workers to recover from, with the queues to look in, and every queue a registered worker consumes.
     *
     * @param dead each dead worker and its queues
     * @param consumed the queues of every registered worker, dead ones included
     */
    private record Workers(Map<String, Collection<String>> dead, Set<String> consumed) {
    }

    private Workers workers(long deadBefore, @Nullable String recoveringWorker) {
        List<Object> reply = redis.await(WORKERS.run(redis.commands(), new byte[][] { keys.workers(),
                keys.workerQueues(), keys.queues() }, bytes(Long.toString(deadBefore)),
                bytes(recoveringWorker == null ? "" : recoveringWorker)),
                "list the workers and their queues");
        List<?> flat = (List<?>) reply.get(0);
        Set<String> consumed = new TreeSet<>();
        ((List<?>) reply.get(1)).forEach(queues -> consumed.addAll(queueList(string(queues))));
        List<String> every = ((List<?>) reply.get(2)).stream().map(RedisBroker::string).sorted().toList();
        Map<String, Collection<String>> dead = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String queues = string(flat.get(i + 1));
            dead.put(string(flat.get(i)), queues.isEmpty() ? every : queueList(queues));
        }
        return new Workers(dead, consumed);
    }

    /** Queue names as the heartbeat joined them; anything else written there is skipped. */
    private static List<String> queueList(String joined) {
        return Arrays.stream(joined.split(",")).filter(q -> !q.isEmpty()).toList();
    }

    /** A time written by the heartbeat script; absent or unreadable counts as long ago. */
    private static long millisOrZero(byte @Nullable [] value) {
        return RedisValues.number(value == null ? null : string(value), 0);
    }

    /**
     * Runs one part of a recovery. A failure that is not an outage (a script failing on what it reads, say) is noted
     * and the other parts go on: one queue or worker must not hold back the recovery of the others. An outage ends
     * the recovery.
     */
    private static boolean isolated(List<String> failures, String what, Runnable part) {
        try {
            part.run();
            return true;
        }
        catch (BrokerUnavailableException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            failures.add(what + " (" + ex.getMessage() + ")");
            return false;
        }
    }

    /**
     * Hands deliveries back at once, counting no delivery (a clean shutdown is not a crash), to the redelivery
     * stream: they are claimed first.
     */
    void release(String consumer, List<Delivery> deliveries) {
        requeueEach(consumer, deliveries, "release");
    }

    /**
     * Returns deliveries a blocking read took beyond what the worker could hold, counting no delivery, each to the
     * end of its own stream: no task was given them, and the redelivery stream would put them before tasks of a
     * higher priority.
     */
    void giveBack(String consumer, List<Delivery> deliveries) {
        requeueEach(consumer, deliveries, "return");
    }

    private void requeueEach(String consumer, List<Delivery> deliveries, String mode) {
        for (Map.Entry<String, List<Delivery>> entry : RedisBroker.groupBy(deliveries, Delivery::queue).entrySet()) {
            List<Candidate> candidates = entry.getValue().stream()
                    .map(d -> new Candidate(d.stream(), d.entryId())).toList();
            requeue(entry.getKey(), mode, consumer, candidates);
        }
    }

    /** Hands back everything the consumer holds in these queues. */
    void releaseAll(String consumer, Collection<String> queues) {
        for (String queue : queues) {
            takeBack(queue, "release", consumer, new int[1]);
        }
    }

    private void takeBack(String queue, String mode, String argument, int[] redelivered) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String findMode = mode.equals("idle") ? "idle" : "consumer";
            List<Object> found = redis.await(FIND_HELD.run(redis.commands(), keys.streams(queue),
                    bytes(RedisKeys.GROUP), bytes(findMode), bytes(argument), bytes(Integer.toString(SCAN_BATCH))),
                    "find lost tasks of queue '" + queue + "'");
            if (found.isEmpty()) {
                return;
            }
            List<String> bands = keys.bandsInClaimOrder();
            List<Candidate> candidates = new ArrayList<>();
            for (int i = 0; i < found.size(); i += 2) {
                candidates.add(new Candidate(bands.get(((Long) found.get(i)).intValue() - 1), string(found.get(i + 1))));
            }
            redelivered[0] += requeue(queue, mode, argument, candidates);
            if (candidates.size() < SCAN_BATCH) {
                return;
            }
        }
    }

    private record Candidate(String band, String entryId) {
    }

    /*
     * KEYS: the streams of one queue, in claim order.
     * ARGV[1] group   ARGV[2] mode: 'consumer' (held by ARGV[3]) | 'idle' (not touched for ARGV[3] ms)
     * ARGV[4] max entries
     * Returns a flat list of 2 per held entry: key index, entry id.
     */
    private static final LuaScript FIND_HELD = new LuaScript("find-held", """
            local out = {}
            local left = tonumber(ARGV[4])
            for k, key in ipairs(KEYS) do
              if left <= 0 then break end
              local p
              if ARGV[2] == 'consumer' then
                p = redis.pcall('XPENDING', key, ARGV[1], '-', '+', left, ARGV[3])
              else
                p = redis.pcall('XPENDING', key, ARGV[1], 'IDLE', tonumber(ARGV[3]), '-', '+', left)
              end
              if type(p) == 'table' and not p.err then
                for _, entry in ipairs(p) do
                  out[#out + 1] = k
                  out[#out + 1] = entry[1]
                  left = left - 1
                end
              end
            end
            return out
            """, ScriptOutputType.MULTI);

    /*
     * KEYS[1] {q}:s:r   then 1 per entry: its stream
     * ARGV[1] group   ARGV[2] mode: 'release' | 'return' | 'consumer' (each of these three: held by ARGV[3])
     *   | 'idle' (idle >= ARGV[3] ms)
     * then 1 per entry: entry id
     * Each entry still held as expected is copied to the redelivery stream (to the end of its own stream for
     * 'return': it was never given to a task, and must not pass tasks of a higher priority) with its delivery count
     * + 1 (+ 0 for 'release' and 'return') and its mark of a revoked task, then acknowledged and deleted. A malformed
     * entry (no task id, no message, a count that is not a whole number) is copied with its fields as they are: the
     * worker that claims it quarantines it as it was.
     * Returns how many it put back.
     */
    private static final LuaScript REQUEUE = new LuaScript("requeue", """
            local mode = ARGV[2]
            local redelivered = 0
            for i = 1, #ARGV - 3 do
              local stream, entry = KEYS[1 + i], ARGV[3 + i]
              local held
              if mode == 'idle' then
                held = redis.call('XPENDING', stream, ARGV[1], 'IDLE', tonumber(ARGV[3]), entry, entry, 1)[1]
              else
                held = redis.call('XPENDING', stream, ARGV[1], entry, entry, 1, ARGV[3])[1]
              end
              if held then
                local e = redis.call('XRANGE', stream, entry, entry)[1]
                if e then
                  local id, body = field_value(e[2], 'i'), field_value(e[2], 'm')
                  local d = read_count(field_value(e[2], 'd'))
                  local target = mode == 'return' and stream or KEYS[1]
                  if id and id ~= '' and body and d then
                    if mode == 'consumer' or mode == 'idle' then d = math.min(d + 1, MAX_COUNT) end
                    add_ready(target, ARGV[1], id, body, d, field_value(e[2], 'r') ~= nil)
                  else
                    ready_stream(target, ARGV[1])
                    redis.call('XADD', target, '*', unpack(e[2]))
                  end
                  redelivered = redelivered + 1
                end
                redis.call('XACK', stream, ARGV[1], entry)
                redis.call('XDEL', stream, entry)
              end
            end
            return redelivered
            """, ScriptOutputType.INTEGER);

    private int requeue(String queue, String mode, String argument, List<Candidate> candidates) {
        byte[][] k = new byte[1 + candidates.size()][];
        byte[][] a = new byte[3 + candidates.size()][];
        k[0] = keys.stream(queue, RedisKeys.REDELIVERY);
        a[0] = bytes(RedisKeys.GROUP);
        a[1] = bytes(mode);
        a[2] = bytes(argument);
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            k[1 + i] = keys.stream(queue, c.band());
            a[3 + i] = bytes(c.entryId());
        }
        Long reply = redis.await(REQUEUE.run(redis.commands(), k, a),
                "put " + candidates.size() + " task(s) of queue '" + queue + "' back");
        return reply.intValue();
    }

    /*
     * KEYS: the streams of one queue.   ARGV[1] group   ARGV[2] consumer
     * Deletes the consumer from every stream where it holds nothing (deleting one that holds entries would
     * drop them from the pending list). Returns how many streams it was deleted from.
     */
    private static final LuaScript FORGET_CONSUMER = new LuaScript("forget-consumer", """
            local n = 0
            for _, key in ipairs(KEYS) do
              local p = redis.pcall('XPENDING', key, ARGV[1], '-', '+', 1, ARGV[2])
              if type(p) == 'table' and not p.err and #p == 0 then
                redis.pcall('XGROUP', 'DELCONSUMER', key, ARGV[1], ARGV[2])
                n = n + 1
              end
            end
            return n
            """, ScriptOutputType.INTEGER);

    /*
     * KEYS[1] {p}:workers   KEYS[2] {p}:worker:<id>   KEYS[3] {p}:worker-queues   ARGV[1] worker id
     * ARGV[2] dead-before time ms
     * Removes the worker unless it heartbeated meanwhile (one without a heartbeat entry is removed). Returns 1 if
     * removed.
     */
    private static final LuaScript FORGET_WORKER = new LuaScript("forget-worker", """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not score or tonumber(score) < tonumber(ARGV[2]) then
              redis.call('ZREM', KEYS[1], ARGV[1])
              redis.call('DEL', KEYS[2])
              redis.call('HDEL', KEYS[3], ARGV[1])
              return 1
            end
            return 0
            """, ScriptOutputType.INTEGER);

    /*
     * KEYS[1] {p}:janitor   ARGV[1] token   Deletes the lock only if this instance holds it.
     */
    private static final LuaScript UNLOCK = new LuaScript("unlock", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """, ScriptOutputType.INTEGER);

    private boolean lock(Duration ttl) {
        String reply = redis.await(redis.commands().set(keys.janitorLock(), bytes(lockToken),
                io.lettuce.core.SetArgs.Builder.nx().px(ttl.toMillis())), "take the janitor lock");
        return "OK".equals(reply);
    }

    private void unlock() {
        redis.await(UNLOCK.run(redis.commands(), new byte[][] { keys.janitorLock() }, bytes(lockToken)),
                "release the janitor lock");
    }
}
