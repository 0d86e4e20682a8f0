package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.ScheduleStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;

/**
 * Periodic schedules' shared state: one small hash per schedule ({@code last}, {@code enabled}), with a TTL
 * ({@code HMGET {taskqueue}:schedule:<name> last enabled}). Built by {@link RedisStores}.
 */
public final class RedisSchedules implements ScheduleStore {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisSchedules(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public Map<String, ScheduleState> scheduleStates(Collection<String> names) {
        List<String> list = List.copyOf(names);
        List<CompletableFuture<List<KeyValue<byte[], byte[]>>>> replies = new ArrayList<>();
        for (String name : list) {
            replies.add(redis.commands().hmget(keys.schedule(name), bytes("last"), bytes("enabled"))
                    .toCompletableFuture());
        }
        Map<String, ScheduleState> states = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            List<KeyValue<byte[], byte[]>> fields = redis.await(replies.get(i), "read schedule " + list.get(i));
            String last = fields.get(0).hasValue() ? string(fields.get(0).getValue()) : null;
            String enabled = fields.get(1).hasValue() ? string(fields.get(1).getValue()) : null;
            if (last != null || enabled != null) {
                // Unreadable values (not written by taskqueue) read as unset: the schedule's own settings apply.
                long lastMillis = RedisValues.number(last, -1);
                states.put(list.get(i), new ScheduleState(lastMillis < 0 ? null : lastMillis,
                        "1".equals(enabled) ? Boolean.TRUE : "0".equals(enabled) ? Boolean.FALSE : null));
            }
        }
        return states;
    }

    /* KEYS[1] the schedule   ARGV[1] tick ms   ARGV[2] ttl ms   Keeps the latest tick. */
    private static final LuaScript RECORD_FIRE = new LuaScript("schedule-fired", """
            local last = read_int(redis.call('HGET', KEYS[1], 'last')) or 0
            if tonumber(ARGV[1]) > last then redis.call('HSET', KEYS[1], 'last', ARGV[1]) end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public void recordFire(String name, long tickMillis, long ttlMillis) {
        redis.await(RECORD_FIRE.run(redis.commands(), new byte[][] { keys.schedule(name) },
                bytes(Long.toString(tickMillis)), bytes(Long.toString(ttlMillis))), "record a tick of " + name);
    }

    /* KEYS[1] the schedule   ARGV[1] '1' enabled | '0' disabled   ARGV[2] ttl ms */
    private static final LuaScript SET_ENABLED = new LuaScript("schedule-enabled", """
            redis.call('HSET', KEYS[1], 'enabled', ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public void setScheduleEnabled(String name, boolean enabled, long ttlMillis) {
        redis.await(SET_ENABLED.run(redis.commands(), new byte[][] { keys.schedule(name) }, bytes(enabled ? "1" : "0"),
                bytes(Long.toString(ttlMillis))), (enabled ? "enable" : "disable") + " schedule " + name);
    }

    @Override
    public void keepSchedule(String name, long ttlMillis) {
        redis.await(redis.commands().pexpire(keys.schedule(name), ttlMillis), "keep schedule " + name);
    }
}
