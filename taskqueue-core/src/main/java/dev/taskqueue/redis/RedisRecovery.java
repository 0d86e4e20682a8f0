package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.taskqueue.broker.Broker.Recovery;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.redis.RedisBroker.DeadLetterPolicy;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker liveness and the recovery of tasks that lost their worker:
 * <ol>
 * <li>every worker heartbeats: its id scored by the broker's clock in {@code {p}:workers}, its info in a hash
 * that expires with its liveness;</li>
 * <li>a janitor (one at a time, under a short lock) finds workers whose last heartbeat is older than the
 * liveness timeout, puts every task they held back on the redelivery stream, and removes them;</li>
 * <li>it also takes back any lease not extended within the visibility timeout (a worker that lost a task
 * without dying);</li>
 * <li>a task taken back too often (its workers keep dying: a poison pill) goes to the dead letters instead.</li>
 * </ol>
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
    private final DeadLetterPolicy deadLetters;
    private final String lockToken = UUID.randomUUID().toString();

    RedisRecovery(RedisConnections redis, RedisKeys keys, DeadLetterPolicy deadLetters) {
        this.redis = redis;
        this.keys = keys;
        this.deadLetters = deadLetters;
    }

    /*
     * KEYS[1] {p}:workers   KEYS[2] {p}:worker:<id>   KEYS[3] {p}:queues
     * ARGV[1] worker id   ARGV[2] ttl ms   ARGV[3..] field, value pairs of the info, then '--', then queues
     * Returns the broker's time.
     */
    private static final LuaScript HEARTBEAT = new LuaScript("heartbeat", """
            local now = now_ms()
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            local i = 3
            while ARGV[i] ~= '--' do
              redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
              i = i + 2
            end
            redis.call('HSET', KEYS[2], 'heartbeat', now)
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            for j = i + 1, #ARGV do redis.call('SADD', KEYS[3], ARGV[j]) end
            return now
            """, ScriptOutputType.INTEGER);

    void heartbeat(WorkerInfo info, Duration ttl) {
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(info.id()));
        args.add(bytes(Long.toString(ttl.toMillis())));
        Map<String, String> fields = Map.of("host", info.host(), "pid", Long.toString(info.pid()),
                "queues", String.join(",", info.queues()), "concurrency", Integer.toString(info.concurrency()),
                "active", Integer.toString(info.active()), "processed", Long.toString(info.processed()),
                "failed", Long.toString(info.failed()), "started", Long.toString(info.startedAt()),
                "state", info.state());
        fields.forEach((name, value) -> {
            args.add(bytes(name));
            args.add(bytes(value));
        });
        args.add(bytes("--"));
        info.queues().forEach(q -> args.add(bytes(q)));
        redis.await(HEARTBEAT.run(redis.commands(),
                new byte[][] { keys.workers(), keys.worker(info.id()), keys.queues() }, args.toArray(byte[][]::new)),
                "record the heartbeat of worker " + info.id());
    }

    void deregister(String workerId) {
        redis.await(redis.commands().zrem(keys.workers(), bytes(workerId)), "deregister worker " + workerId);
        redis.await(redis.commands().del(keys.worker(workerId)), "deregister worker " + workerId);
    }

    // ------------------------------------------------------------------------------------------ recovery

    Recovery recover(RecoveryPolicy policy) {
        if (!lock(policy.livenessTimeout())) {
            return new Recovery(List.of(), 0, 0);
        }
        try {
            List<byte[]> time = redis.await(redis.commands().time(), "read the time");
            long now = Long.parseLong(string(time.get(0))) * 1000 + Long.parseLong(string(time.get(1))) / 1000;
            List<String> queues = redis.await(redis.commands().smembers(keys.queues()), "list queues")
                    .stream().map(RedisBroker::string).sorted().toList();
            List<String> dead = redis.await(redis.commands().zrangebyscore(keys.workers(),
                    io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
                            (double) (now - policy.livenessTimeout().toMillis()))), "list workers")
                    .stream().map(RedisBroker::string).toList();
            int[] counts = new int[2];
            for (String worker : dead) {
                for (String queue : queues) {
                    takeBack(queue, "consumer", worker, policy, counts);
                    redis.await(FORGET_CONSUMER.run(redis.commands(), keys.streams(queue), bytes(RedisKeys.GROUP),
                            bytes(worker)), "forget worker " + worker);
                }
                redis.await(FORGET_WORKER.run(redis.commands(), new byte[][] { keys.workers(), keys.worker(worker) },
                        bytes(worker), bytes(Long.toString(now - policy.livenessTimeout().toMillis()))),
                        "forget worker " + worker);
                log.warn("Worker {} stopped heartbeating for over {}; its tasks were handed to other workers",
                        worker, policy.livenessTimeout());
            }
            for (String queue : queues) {
                takeBack(queue, "idle", Long.toString(policy.visibilityTimeout().toMillis()), policy, counts);
            }
            return new Recovery(dead, counts[0], counts[1]);
        }
        finally {
            unlock();
        }
    }

    /** Hands deliveries back at once, counting no delivery (a clean shutdown is not a crash). */
    void release(String consumer, List<Delivery> deliveries) {
        for (Map.Entry<String, List<Delivery>> entry : RedisBroker.groupBy(deliveries, Delivery::queue).entrySet()) {
            List<Candidate> candidates = entry.getValue().stream()
                    .map(d -> new Candidate(d.stream(), d.entryId(), d.taskId())).toList();
            requeue(entry.getKey(), "release", consumer, candidates, 0, 0);
        }
    }

    /** Hands back everything the consumer holds in these queues. */
    void releaseAll(String consumer, Collection<String> queues) {
        RecoveryPolicy unused = new RecoveryPolicy(Duration.ZERO, Duration.ZERO, 0, 0);
        for (String queue : queues) {
            takeBack(queue, "release", consumer, unused, new int[2]);
        }
    }

    private void takeBack(String queue, String mode, String argument, RecoveryPolicy policy, int[] counts) {
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
            for (int i = 0; i < found.size(); i += 3) {
                candidates.add(new Candidate(bands.get(((Long) found.get(i)).intValue() - 1), string(found.get(i + 1)),
                        string(found.get(i + 2))));
            }
            List<Long> moved = requeue(queue, mode, argument, candidates, policy.maxDeliveries(),
                    policy.recordTtlMillis());
            counts[0] += moved.get(0).intValue();
            counts[1] += moved.get(1).intValue();
            if (candidates.size() < SCAN_BATCH) {
                return;
            }
        }
    }

    private record Candidate(String band, String entryId, String taskId) {
    }

    /*
     * KEYS: the streams of one queue, in claim order.
     * ARGV[1] group   ARGV[2] mode: 'consumer' (held by ARGV[3]) | 'idle' (not touched for ARGV[3] ms)
     * ARGV[4] max entries
     * Returns a flat list of 3 per held entry: key index, entry id, task id.
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
                  local id = ''
                  local e = redis.call('XRANGE', key, entry[1], entry[1])[1]
                  if e then
                    for j = 1, #e[2], 2 do if e[2][j] == 'i' then id = e[2][j + 1] end end
                  end
                  out[#out + 1] = k
                  out[#out + 1] = entry[1]
                  out[#out + 1] = id
                  left = left - 1
                end
              end
            end
            return out
            """, ScriptOutputType.MULTI);

    /*
     * KEYS[1] {q}:s:r   KEYS[2] {q}:dead   then 2 per entry: KEYS[1+2i] its stream, KEYS[2+2i] its task record
     * ARGV[1] group   ARGV[2] mode: 'release' | 'consumer' (must be held by ARGV[3]) | 'idle' (idle >= ARGV[3] ms)
     * ARGV[4] max deliveries   ARGV[5] record ttl ms   ARGV[6] dead letters max length   ARGV[7] their max age ms
     * ARGV[8] notify channel prefix   then 1 per entry: entry id
     * Each entry still held as expected is copied to the redelivery stream with its delivery count + 1 (+ 0 for
     * 'release'), or, once that count reaches max deliveries, to the dead letters with a FAILURE record; then
     * it is acknowledged and deleted. Returns { redelivered, dead-lettered }.
     */
    private static final LuaScript REQUEUE = new LuaScript("requeue", """
            local now = now_ms()
            local mode = ARGV[2]
            local redelivered, dead = 0, 0
            for i = 1, #ARGV - 8 do
              local stream, record, entry = KEYS[1 + 2 * i], KEYS[2 + 2 * i], ARGV[8 + i]
              local held
              if mode == 'idle' then
                held = redis.call('XPENDING', stream, ARGV[1], 'IDLE', tonumber(ARGV[3]), entry, entry, 1)[1]
              else
                held = redis.call('XPENDING', stream, ARGV[1], entry, entry, 1, ARGV[3])[1]
              end
              if held then
                local e = redis.call('XRANGE', stream, entry, entry)[1]
                if e then
                  local id, body, d = '', '', 0
                  for j = 1, #e[2], 2 do
                    local f, v = e[2][j], e[2][j + 1]
                    if f == 'i' then id = v elseif f == 'm' then body = v elseif f == 'd' then d = tonumber(v) end
                  end
                  if mode ~= 'release' then d = d + 1 end
                  if mode ~= 'release' and d >= tonumber(ARGV[4]) then
                    local reason = 'delivered ' .. d .. ' times and its worker never finished it (died or hung each '
                      .. 'time): a poison pill? Requeue it once the cause is fixed'
                    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'i', id, 'm', body, 'task', '',
                      'reason', reason, 'error', 'dev.taskqueue.WorkerLostException', 'message', reason, 'stack', '',
                      'at', now, 'worker', held[2], 'deliveries', d, 'attempt', '')
                    redis.call('XTRIM', KEYS[2], 'MINID', now - tonumber(ARGV[7]))
                    redis.call('HSET', record, 'state', 'FAILURE', 'finished', now,
                      'error.type', 'dev.taskqueue.WorkerLostException', 'error.message', reason, 'error.stack', '')
                    redis.call('PEXPIRE', record, ARGV[5])
                    notify_waiters(record, id, ARGV[8])
                    dead = dead + 1
                  else
                    add_ready(KEYS[1], ARGV[1], id, body, d, false)
                    redelivered = redelivered + 1
                  end
                end
                redis.call('XACK', stream, ARGV[1], entry)
                redis.call('XDEL', stream, entry)
              end
            end
            return { redelivered, dead }
            """, ScriptOutputType.MULTI);

    private List<Long> requeue(String queue, String mode, String argument, List<Candidate> candidates,
            int maxDeliveries, long recordTtlMillis) {
        byte[][] k = new byte[2 + 2 * candidates.size()][];
        byte[][] a = new byte[8 + candidates.size()][];
        k[0] = keys.stream(queue, RedisKeys.REDELIVERY);
        k[1] = keys.dead(queue);
        a[0] = bytes(RedisKeys.GROUP);
        a[1] = bytes(mode);
        a[2] = bytes(argument);
        a[3] = bytes(Integer.toString(maxDeliveries));
        a[4] = bytes(Long.toString(recordTtlMillis));
        a[5] = bytes(Long.toString(deadLetters.maxLength()));
        a[6] = bytes(Long.toString(deadLetters.maxAge().toMillis()));
        a[7] = bytes(keys.notifyChannelPrefix());
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            k[2 + 2 * i] = keys.stream(queue, c.band());
            k[3 + 2 * i] = keys.record(queue, c.taskId().isEmpty() ? "-" : c.taskId());
            a[8 + i] = bytes(c.entryId());
        }
        List<Object> reply = redis.await(REQUEUE.run(redis.commands(), k, a),
                "put " + candidates.size() + " task(s) of queue '" + queue + "' back");
        return List.of((Long) reply.get(0), (Long) reply.get(1));
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
     * KEYS[1] {p}:workers   KEYS[2] {p}:worker:<id>   ARGV[1] worker id   ARGV[2] dead-before time ms
     * Removes the worker unless it heartbeated meanwhile. Returns 1 if removed.
     */
    private static final LuaScript FORGET_WORKER = new LuaScript("forget-worker", """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if score and tonumber(score) < tonumber(ARGV[2]) then
              redis.call('ZREM', KEYS[1], ARGV[1])
              redis.call('DEL', KEYS[2])
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
