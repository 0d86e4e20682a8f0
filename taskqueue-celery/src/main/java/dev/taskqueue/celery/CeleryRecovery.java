package dev.taskqueue.celery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;

/**
 * What brings Celery messages back, for Java workers and alongside Python ones:
 * <ol>
 * <li>{@link #beat}: a Java worker says it is alive ({@code taskqueue-celery:workers}, scored by when that lapses)
 * and refreshes the {@code unacked_index} score of every delivery it works on, so that no sweep (Python's or ours)
 * takes a running task back however long it runs; a delivery it holds but no longer works on comes back;</li>
 * <li>{@link #restoreDead}: the deliveries of a Java worker whose liveness lapsed (killed, cut off) go back to the
 * front of their lists within seconds, not after kombu's visibility timeout (an hour by default);</li>
 * <li>{@link #sweep}: kombu's own visibility-timeout restore, under kombu's mutex, for deliveries of Python workers
 * that died (a Python worker runs it too; with the same bookkeeping, either may);</li>
 * <li>{@link #promote}: countdown and ETA messages parked by Java workers go back to their lists when due;</li>
 * <li>{@link #release}: a stopping Java worker hands back what it still holds.</li>
 * </ol>
 * A restored message is pushed back where consumers pop ({@code RPUSH}: delivered next), into the list of its
 * priority, with {@code redelivered} set, as kombu restores.
 */
final class CeleryRecovery {

    /** The list of a queue for a priority: kombu's steps 0, 3, 6, 9, the separator 0x06 0x16 before a step. */
    private static final String LIST_OF = """
            local function list_of(queue, priority)
              local step = 0
              if priority >= 9 then step = 9 elseif priority >= 6 then step = 6 elseif priority >= 3 then step = 3 end
              if step == 0 then return queue end
              return queue .. '\\6\\22' .. step
            end
            """;

    /**
     * Restores one delivery from unacked to its list; leaves an entry it cannot read where it is. Used by the scripts
     * below; KEYS[1] is unacked and KEYS[2] unacked_index in each of them.
     */
    private static final String RESTORE = LIST_OF + """
            local function restore(tag)
              local entry = redis.call('HGET', KEYS[1], tag)
              if not entry then
                redis.call('ZREM', KEYS[2], tag)
                return 0
              end
              local env, exchange, rk = string.match(entry, '^%[(.*),%s*("[^"]*"),%s*("[^"]*")%]$')
              if not env then return 0 end
              exchange, rk = cjson.decode(exchange), cjson.decode(rk) -- JSON strings, escapes and all
              local queue = rk
              if exchange ~= '' then
                queue = nil
                for _, binding in ipairs(redis.call('SMEMBERS', '_kombu.binding.' .. exchange)) do
                  local key, bound = string.match(binding, '^(.-)\\6\\22.-\\6\\22(.*)$')
                  if key == rk then
                    queue = bound
                    break
                  end
                end
                if not queue then return 0 end
              end
              local priority = tonumber(string.match(env, '"priority"%s*:%s*(%d+)')) or 0
              local list = list_of(queue, priority)
              local flagged, empty = string.gsub(env, '"delivery_info"%s*:%s*{%s*}',
                  '"delivery_info": {"redelivered": true}', 1)
              if empty == 0 then
                flagged = string.gsub(env, '"delivery_info"%s*:%s*{', '"delivery_info": {"redelivered": true, ', 1)
              end
              env = flagged
              redis.call('HDEL', KEYS[1], tag)
              redis.call('ZREM', KEYS[2], tag)
              redis.call('RPUSH', list, env)
              return 1
            end
            """;

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:workers;
    // KEYS[4]: taskqueue-celery:held:<node>
    // ARGV[1]: the node; ARGV[2]: when its liveness lapses, Unix ms; ARGV[3]: now, Unix seconds; ARGV[4]: deliveries
    // held before this are orphans, Unix seconds; ARGV[5..]: the delivery tags the worker is working on
    // Refreshes the score of each delivery it works on; a delivery in its held set that it does not work on (taken by
    // an earlier run of the same node name, or whose run failed before it was recorded) is restored once its score is
    // older than the liveness timeout. Returns how many were restored.
    private static final CeleryRedis.Script BEAT = new CeleryRedis.Script(RESTORE + """
            local working = {}
            for i = 5, #ARGV do working[ARGV[i]] = true end
            redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
            local restored = 0
            for _, tag in ipairs(redis.call('SMEMBERS', KEYS[4])) do
              if working[tag] then
                redis.call('ZADD', KEYS[2], 'XX', ARGV[3], tag)
              else
                local score = tonumber(redis.call('ZSCORE', KEYS[2], tag))
                if not score then
                  redis.call('SREM', KEYS[4], tag)
                elseif score < tonumber(ARGV[4]) then
                  restored = restored + restore(tag)
                  redis.call('SREM', KEYS[4], tag)
                end
              end
            end
            return restored
            """);

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:workers
    // ARGV[1]: now, Unix ms; ARGV[2]: the held-set key prefix
    // Returns how many deliveries of lapsed Java workers were restored.
    private static final CeleryRedis.Script RESTORE_DEAD = new CeleryRedis.Script(RESTORE + """
            local restored = 0
            for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])) do
              local held = ARGV[2] .. node
              for _, tag in ipairs(redis.call('SMEMBERS', held)) do
                restored = restored + restore(tag)
              end
              redis.call('DEL', held)
              redis.call('ZREM', KEYS[3], node)
            end
            return restored
            """);

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:workers;
    // KEYS[4]: taskqueue-celery:held:<node>
    // ARGV[1]: the node. Returns how many of its deliveries were restored.
    private static final CeleryRedis.Script RELEASE = new CeleryRedis.Script(RESTORE + """
            local restored = 0
            for _, tag in ipairs(redis.call('SMEMBERS', KEYS[4])) do
              restored = restored + restore(tag)
            end
            redis.call('DEL', KEYS[4])
            redis.call('ZREM', KEYS[3], ARGV[1])
            return restored
            """);

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: unacked_mutex
    // ARGV[1]: deliveries older than this are restored, Unix seconds; ARGV[2]: the mutex token; ARGV[3]: at most
    // Returns how many were restored, or -1 when another consumer (kombu) holds the mutex.
    private static final CeleryRedis.Script SWEEP = new CeleryRedis.Script(RESTORE + """
            if not redis.call('SET', KEYS[3], ARGV[2], 'PX', 300000, 'NX') then return -1 end
            local restored = 0
            local stale = redis.call('ZREVRANGEBYSCORE', KEYS[2], ARGV[1], 0, 'LIMIT', 0, tonumber(ARGV[3]))
            for _, tag in ipairs(stale) do
              restored = restored + restore(tag)
            end
            redis.call('DEL', KEYS[3])
            return restored
            """);

    // KEYS[1]: taskqueue-celery:parked; ARGV[1]: now, Unix ms; ARGV[2]: at most
    // Returns how many were sent back to their lists.
    private static final CeleryRedis.Script PROMOTE = new CeleryRedis.Script(LIST_OF + """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            for _, member in ipairs(due) do
              local queue, env = string.match(member, '^(.-)\\n(.*)$')
              redis.call('ZREM', KEYS[1], member)
              if queue then
                local priority = tonumber(string.match(env, '"priority"%s*:%s*(%d+)')) or 0
                local list = list_of(queue, priority)
                redis.call('RPUSH', list, env)
              end
            end
            return #due
            """);

    private final CeleryRedis redis;

    CeleryRecovery(CeleryRedis redis) {
        this.redis = redis;
    }

    /**
     * Says the worker is alive, keeps what it works on held, and restores what it holds but no longer works on (see
     * BEAT); returns how many it restored.
     */
    long beat(String node, Duration liveness, Collection<String> working) {
        long now = System.currentTimeMillis();
        List<String> args = new ArrayList<>(working.size() + 4);
        args.add(node);
        args.add(Long.toString(now + liveness.toMillis()));
        args.add(CeleryQueues.unixSeconds(now));
        args.add(CeleryQueues.unixSeconds(now - liveness.toMillis()));
        args.addAll(working);
        return BEAT.<Long>run(redis, "refresh a Celery worker's liveness", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.UNACKED, CeleryKeys.UNACKED_INDEX, CeleryKeys.JAVA_WORKERS, CeleryKeys.heldBy(node)),
                args);
    }

    long restoreDead() {
        return RESTORE_DEAD.<Long>run(redis, "restore a dead Java worker's Celery messages", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.UNACKED, CeleryKeys.UNACKED_INDEX, CeleryKeys.JAVA_WORKERS),
                List.of(Long.toString(System.currentTimeMillis()), CeleryKeys.heldBy("")));
    }

    long release(String node) {
        return RELEASE.<Long>run(redis, "hand back a Celery worker's messages", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.UNACKED, CeleryKeys.UNACKED_INDEX, CeleryKeys.JAVA_WORKERS,
                        CeleryKeys.heldBy(node)), List.of(node));
    }

    /** Kombu's restore of deliveries older than the visibility timeout; -1 when kombu's mutex is held. */
    long sweep(Duration visibilityTimeout, int limit) {
        long cutoff = System.currentTimeMillis() - visibilityTimeout.toMillis();
        return SWEEP.<Long>run(redis, "restore Celery messages past the visibility timeout", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.UNACKED, CeleryKeys.UNACKED_INDEX, CeleryKeys.UNACKED_MUTEX),
                List.of(CeleryQueues.unixSeconds(cutoff), UUID.randomUUID().toString(), Integer.toString(limit)));
    }

    long promote(int limit) {
        return PROMOTE.<Long>run(redis, "send due Celery messages back", ScriptOutputType.INTEGER,
                List.of(CeleryKeys.PARKED),
                List.of(Long.toString(System.currentTimeMillis()), Integer.toString(limit)));
    }

    /** Task ids revoked and not lapsed, for a worker that starts. */
    Set<String> revoked() {
        var commands = redis.commands();
        commands.zremrangebyscore(CeleryKeys.REVOKED, Range.create(Double.NEGATIVE_INFINITY,
                (double) System.currentTimeMillis()));
        return Set.copyOf(redis.await(commands.zrangebyscore(CeleryKeys.REVOKED, Range.create(0d,
                Double.POSITIVE_INFINITY), Limit.create(0, 100_000)), "read Celery revocations"));
    }
}
