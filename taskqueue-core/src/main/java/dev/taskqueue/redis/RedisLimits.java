package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskqueue.broker.Delivery;
import io.lettuce.core.ScriptOutputType;

/**
 * Global rate limits and concurrency limits, kept in Redis so that every worker shares them. A task over a limit
 * never waits on a worker: it goes back to Redis, to the delayed set, and its worker slot serves other tasks.
 */
final class RedisLimits {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisLimits(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /*
     * A rate limiter that schedules rather than rejects (GCRA with a burst of one): the key holds the next free
     * start time; a task that may not start now reserves that time (moving it one interval on) and waits for it in
     * the delayed set, so n waiting tasks cost n moves, not n² retries.
     *
     * KEYS[1] {q}:rate:<key>   KEYS[2] the task's stream   KEYS[3] {q}:d   KEYS[4] {q}:dp
     * ARGV[1] group   ARGV[2] entry id   ARGV[3] task id   ARGV[4] interval µs   ARGV[5] priority digit
     * ARGV[6] the task's message marked as holding its start   ARGV[7] wake channel   ARGV[8] queue name
     * Returns 0 (start now), -1 (the lease was lost), or the epoch ms the task will start at.
     */
    private static final LuaScript RATE = new LuaScript("rate-slot", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = tonumber(ARGV[4])
            local next_free = read_int(redis.call('GET', KEYS[1])) or 0
            if next_free <= now then
              redis.call('SET', KEYS[1], string.format('%.0f', now + interval), 'PX',
                math.ceil(interval / 1000) + 60000)
              return 0
            end
            if redis.call('XACK', KEYS[2], ARGV[1], ARGV[2]) == 0 then return -1 end
            redis.call('XDEL', KEYS[2], ARGV[2])
            redis.call('SET', KEYS[1], string.format('%.0f', next_free + interval), 'PX',
              math.ceil((next_free + interval - now) / 1000) + 60000)
            local at = math.ceil(next_free / 1000)
            redis.call('HSET', KEYS[4], ARGV[3], ARGV[5] .. ARGV[6])
            redis.call('ZADD', KEYS[3], at, ARGV[3])
            if redis.call('ZRANGE', KEYS[3], 0, 0)[1] == ARGV[3] then redis.call('PUBLISH', ARGV[7], ARGV[8]) end
            return at
            """, ScriptOutputType.INTEGER);

    long takeRateSlot(Delivery d, String key, long intervalMicros, int priority, byte[] reservedBody) {
        String q = d.queue();
        return redis.await(RATE.run(redis.commands(), new byte[][] { keys.rate(q, key), keys.stream(q, d.stream()),
                keys.delayed(q), keys.delayedPayloads(q) }, bytes(RedisKeys.GROUP), bytes(d.entryId()),
                bytes(d.taskId()), bytes(Long.toString(intervalMicros)), bytes(Integer.toString(priority)),
                reservedBody, bytes(keys.wakeChannel()), bytes(q)), "take a rate-limit slot for task " + d.taskId());
    }

    /*
     * A permit of a concurrency limit is a lease: the task id scored by when it expires. Expired leases (their
     * worker died) are dropped before counting. A task that gets no permit is parked: it waits in the delayed set
     * until the earliest lease would expire (a re-check, should no release wake it), and in the waiters set, from
     * which the acknowledgement of a permit holder wakes the oldest at once.
     *
     * KEYS[1] {q}:c:<key>   KEYS[2] {q}:cw:<key>   KEYS[3] the task's stream   KEYS[4] {q}:d   KEYS[5] {q}:dp
     * ARGV[1] group   ARGV[2] entry id   ARGV[3] task id   ARGV[4] limit   ARGV[5] lease ms
     * ARGV[6] priority digit   ARGV[7] the task's message
     * Returns 1 (granted), 0 (parked), -1 (the lease on the task was lost).
     */
    private static final LuaScript PERMIT = new LuaScript("take-permit", """
            local now = now_ms()
            local lease = tonumber(ARGV[5])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
              redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
              redis.call('PEXPIRE', KEYS[1], 2 * lease)
              redis.call('ZREM', KEYS[2], ARGV[3])
              return 1
            end
            if redis.call('XACK', KEYS[3], ARGV[1], ARGV[2]) == 0 then return -1 end
            redis.call('XDEL', KEYS[3], ARGV[2])
            local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            redis.call('HSET', KEYS[5], ARGV[3], ARGV[6] .. ARGV[7])
            redis.call('ZADD', KEYS[4], tonumber(earliest[2]), ARGV[3])
            redis.call('ZADD', KEYS[2], 'NX', now, ARGV[3])
            redis.call('PEXPIRE', KEYS[2], 86400000)
            return 0
            """, ScriptOutputType.INTEGER);

    boolean takePermit(Delivery d, String key, int limit, long leaseMillis, int priority) {
        String q = d.queue();
        long reply = redis.await(PERMIT.run(redis.commands(), new byte[][] { keys.permits(q, key),
                keys.permitWaiters(q, key), keys.stream(q, d.stream()), keys.delayed(q), keys.delayedPayloads(q) },
                bytes(RedisKeys.GROUP), bytes(d.entryId()), bytes(d.taskId()), bytes(Integer.toString(limit)),
                bytes(Long.toString(leaseMillis)), bytes(Integer.toString(priority)), d.body()),
                "take a concurrency permit for task " + d.taskId());
        return reply == 1;
    }

    /*
     * KEYS: permit sets of one queue   ARGV[1] lease ms, then per key: how many ids, the ids
     * Extends the leases of permits still held (XX: a permit already expired and dropped is not re-created).
     */
    private static final LuaScript EXTEND = new LuaScript("extend-permits", """
            local now = now_ms()
            local lease = tonumber(ARGV[1])
            local i = 2
            for k = 1, #KEYS do
              local n = tonumber(ARGV[i])
              for j = 1, n do redis.call('ZADD', KEYS[k], 'XX', now + lease, ARGV[i + j]) end
              redis.call('PEXPIRE', KEYS[k], 2 * lease)
              i = i + n + 1
            end
            return #KEYS
            """, ScriptOutputType.INTEGER);

    void extendPermits(Map<String, Map<String, List<String>>> permits, long leaseMillis) {
        for (Map.Entry<String, Map<String, List<String>>> queue : permits.entrySet()) {
            List<byte[]> k = new ArrayList<>();
            List<byte[]> a = new ArrayList<>();
            a.add(bytes(Long.toString(leaseMillis)));
            for (Map.Entry<String, List<String>> key : queue.getValue().entrySet()) {
                k.add(keys.permits(queue.getKey(), key.getKey()));
                a.add(bytes(Integer.toString(key.getValue().size())));
                key.getValue().forEach(id -> a.add(bytes(id)));
            }
            redis.await(EXTEND.run(redis.commands(), k.toArray(byte[][]::new), a.toArray(byte[][]::new)),
                    "extend concurrency permits");
        }
    }
}
