package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.BrokerUnavailableException;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names of the queues in use, and their forgetting. Each name in {@code {p}:queues} has its last use in
 * {@code {p}:queue-use}: a submit to the queue (recorded at most once a {@link #RECORD_EVERY} per instance), a
 * heartbeat of a worker that consumes it (every beat). A queue unused for {@link RedisBroker#QUEUE_RETENTION} that
 * holds nothing (no task waiting, running or delayed, no dead letter, no revocation younger than
 * {@link RedisBroker#REVOCATION_MEMORY}, not paused) is forgotten, its empty keys deleted; one that still holds
 * something counts as used then, and is looked at again a retention later. The janitor forgets them, a few at each
 * of its rounds: what an idle fleet costs Redis depends on the queues in use, not on every name ever seen.
 *
 * <pre>
 * EVALSHA use 2 {taskqueue}:queues {taskqueue}:queue-use &lt;queue&gt;...   SADD and ZADD &lt;now&gt;
 * </pre>
 */
final class RedisQueueNames {

    private static final Logger log = LoggerFactory.getLogger(RedisQueueNames.class);

    /** How often an instance records again that it submits to a queue: far below the retention, and cheap. */
    static final Duration RECORD_EVERY = Duration.ofMinutes(1);

    /** Queues looked at per janitor round: forgetting thousands of names takes minutes, each round stays short. */
    static final int FORGET_BATCH = 100;

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final Duration retention;
    /** When this instance last recorded the use of each queue ({@link System#nanoTime()}). */
    private final Map<String, Long> recordedAt = new ConcurrentHashMap<>();

    RedisQueueNames(RedisConnections redis, RedisKeys keys, Duration retention) {
        this.redis = redis;
        this.keys = keys;
        this.retention = retention;
    }

    /** Every queue in use, sorted: {@code SMEMBERS {p}:queues}. */
    Set<String> all() {
        Set<String> queues = new TreeSet<>();
        redis.await(redis.commands().smembers(keys.queues()), "list queues").forEach(name -> queues.add(string(name)));
        return queues;
    }

    /*
     * KEYS[1] {p}:queues   KEYS[2] {p}:queue-use   ARGV: queue names
     * Names each queue and records its use now. Returns the number of names.
     */
    private static final LuaScript USE = new LuaScript("use", """
            local now = now_ms()
            for _, queue in ipairs(ARGV) do
              redis.call('SADD', KEYS[1], queue)
              redis.call('ZADD', KEYS[2], now, queue)
            end
            return #ARGV
            """, ScriptOutputType.INTEGER);

    /** Records that these queues are used now, and waits for Redis (a worker declaring its queues). */
    void use(Collection<String> queues) {
        redis.await(USE.run(redis.commands(), new byte[][] { keys.queues(), keys.queueUse() },
                queues.stream().map(RedisBroker::bytes).toArray(byte[][]::new)), "record the use of queues " + queues);
        long now = System.nanoTime();
        queues.forEach(queue -> recordedAt.put(queue, now));
    }

    /**
     * Records that a producer used this queue, unless this instance did less than {@link #RECORD_EVERY} ago. Not
     * awaited (not in the submit script either: another slot); a failure is tried again at the next submit.
     */
    void submittedTo(String queue) {
        long now = System.nanoTime();
        Long last = recordedAt.get(queue);
        if (last != null && now - last < RECORD_EVERY.toNanos()) {
            return;
        }
        if (last == null ? recordedAt.putIfAbsent(queue, now) != null : !recordedAt.replace(queue, last, now)) {
            return; // a concurrent submit records it
        }
        try {
            USE.run(redis.commands(), new byte[][] { keys.queues(), keys.queueUse() }, bytes(queue))
                    .whenComplete((names, failure) -> {
                        if (failure != null) {
                            recordedAt.remove(queue, now);
                        }
                    });
        }
        catch (RuntimeException notSent) { // no connection now: the next submit records it; never the submit's failure
            recordedAt.remove(queue, now);
        }
    }

    /*
     * KEYS[1] {p}:queues   KEYS[2] {p}:queue-use   ARGV[1] unused before (ms)   ARGV[2] most names returned
     * First makes both keys name the same queues when their sizes differ: a name without a use (written by an
     * earlier version, or by hand) counts as used now, a use without a name is named again.
     * Returns the names unused since before ARGV[1], least recently used first.
     */
    private static final LuaScript UNUSED = new LuaScript("unused", """
            if redis.call('SCARD', KEYS[1]) ~= redis.call('ZCARD', KEYS[2]) then
              local now = now_ms()
              for _, queue in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('ZADD', KEYS[2], 'NX', now, queue) end
              for _, queue in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do redis.call('SADD', KEYS[1], queue) end
            end
            return redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            """, ScriptOutputType.MULTI);

    /*
     * KEYS[1..11] the queue's streams   KEYS[12] {q}:d   KEYS[13] {q}:dp   KEYS[14] {q}:dead   KEYS[15] {q}:revoked
     * KEYS[16] {q}:paused
     * ARGV[1] revocations made before this (ms) are forgotten
     * Deletes the queue's keys if it holds nothing: its streams and dead letters empty, nothing delayed, no
     * revocation left, not paused. A key of another type than ours counts as holding something (someone else's).
     * Returns 1 if it deleted them, 0 if the queue holds something.
     */
    private static final LuaScript FORGET_QUEUE = new LuaScript("forget-queue", """
            local function empty(key, kind, length)
              local t = redis.call('TYPE', key).ok
              return t == 'none' or (t == kind and redis.call(length, key) == 0)
            end
            for k = 1, 11 do
              if not empty(KEYS[k], 'stream', 'XLEN') then return 0 end
            end
            if redis.call('TYPE', KEYS[15]).ok == 'zset' then
              redis.call('ZREMRANGEBYSCORE', KEYS[15], '-inf', '(' .. ARGV[1])
            end
            if not (empty(KEYS[12], 'zset', 'ZCARD') and empty(KEYS[13], 'hash', 'HLEN')
                and empty(KEYS[14], 'stream', 'XLEN') and empty(KEYS[15], 'zset', 'ZCARD'))
                or redis.call('EXISTS', KEYS[16]) == 1 then
              return 0
            end
            redis.call('DEL', unpack(KEYS, 1, 15))
            return 1
            """, ScriptOutputType.INTEGER);

    /*
     * KEYS[1] {p}:queues   KEYS[2] {p}:queue-use
     * ARGV[1] unused before (ms), then 2 per queue: its name, '1' if its keys were deleted | '0' if it holds something
     * A queue whose keys were deleted loses its name unless it was used meanwhile; one that holds something counts as
     * used now. Returns how many names were removed.
     */
    private static final LuaScript FORGET_NAMES = new LuaScript("forget-names", """
            local now, removed = now_ms(), 0
            for i = 2, #ARGV - 1, 2 do
              local queue = ARGV[i]
              if ARGV[i + 1] == '0' then
                redis.call('ZADD', KEYS[2], now, queue)
              else
                local used = tonumber(redis.call('ZSCORE', KEYS[2], queue) or '0')
                if used < tonumber(ARGV[1]) then
                  redis.call('ZREM', KEYS[2], queue)
                  redis.call('SREM', KEYS[1], queue)
                  removed = removed + 1
                end
              end
            end
            return removed
            """, ScriptOutputType.INTEGER);

    /**
     * Forgets up to {@link #FORGET_BATCH} queues unused since before {@code now} minus the retention that hold nothing
     * (each checked alone, in its own slot, then the names together). A queue whose check fails for a reason other
     * than an outage is kept, and looked at again a retention later. Returns the names forgotten.
     */
    List<String> forgetUnused(long nowMillis, List<String> failures) {
        long unusedBefore = nowMillis - retention.toMillis();
        List<String> unused = redis.<List<Object>>await(UNUSED.run(redis.commands(),
                new byte[][] { keys.queues(), keys.queueUse() }, bytes(Long.toString(unusedBefore)),
                bytes(Integer.toString(FORGET_BATCH))), "list the queues unused for " + retention)
                .stream().map(RedisBroker::string).toList();
        if (unused.isEmpty()) {
            return List.of();
        }
        byte[] revocationsBefore = bytes(Long.toString(nowMillis - RedisBroker.REVOCATION_MEMORY.toMillis()));
        List<CompletableFuture<Long>> checks = new ArrayList<>();
        for (String queue : unused) {
            checks.add(FORGET_QUEUE.run(redis.commands(), keys.streamsAnd(queue, keys.delayed(queue),
                    keys.delayedPayloads(queue), keys.dead(queue), keys.revoked(queue), keys.paused(queue)),
                    revocationsBefore));
        }
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(Long.toString(unusedBefore)));
        List<String> forgotten = new ArrayList<>();
        for (int i = 0; i < unused.size(); i++) {
            String queue = unused.get(i);
            boolean deleted = false;
            try {
                deleted = redis.await(checks.get(i), "forget the unused queue '" + queue + "'") == 1L;
            }
            catch (BrokerUnavailableException ex) {
                throw ex;
            }
            catch (RuntimeException ex) {
                failures.add("forget the unused queue '" + queue + "' (" + ex.getMessage() + ")");
            }
            args.add(bytes(queue));
            args.add(bytes(deleted ? "1" : "0"));
            if (deleted) {
                forgotten.add(queue);
            }
        }
        redis.await(FORGET_NAMES.run(redis.commands(), new byte[][] { keys.queues(), keys.queueUse() },
                args.toArray(byte[][]::new)), "forget the names of " + forgotten.size() + " unused queue(s)");
        if (!forgotten.isEmpty()) {
            log.info("Forgot {} queue(s) unused for {} that held nothing: {}", forgotten.size(), retention,
                    forgotten.size() <= 10 ? forgotten : forgotten.subList(0, 10) + " ...");
        }
        return forgotten;
    }
}
