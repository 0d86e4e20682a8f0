package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.broker.DeadLetter;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import org.jspecify.annotations.Nullable;

/** Reading, requeueing and deleting dead letters ({@code {p:q}:dead}, a capped stream). */
final class RedisDeadLetters {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisDeadLetters(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    List<DeadLetter> list(String queue, @Nullable String before, int count) {
        Range<String> range = before == null ? Range.create("-", "+")
                : Range.from(Range.Boundary.unbounded(), Range.Boundary.excluding(before));
        List<StreamMessage<byte[], byte[]>> entries = redis.await(redis.commands().xrevrange(keys.dead(queue),
                range, Limit.from(count)), "list the dead letters of queue '" + queue + "'");
        List<DeadLetter> letters = new ArrayList<>(entries.size());
        for (StreamMessage<byte[], byte[]> entry : entries) {
            Map<String, String> f = new HashMap<>();
            entry.getBody().forEach((k, v) -> f.put(string(k), string(v)));
            letters.add(new DeadLetter(entry.getId(), f.getOrDefault("i", ""), emptyToNull(f.get("task")), queue,
                    f.getOrDefault("reason", ""), emptyToNull(f.get("error")), emptyToNull(f.get("message")),
                    emptyToNull(f.get("stack")), number(f.get("attempt")), number(f.get("deliveries")),
                    Instant.ofEpochMilli(RedisValues.number(f.get("at"), 0)), emptyToNull(f.get("worker")),
                    f.getOrDefault("m", "")));
        }
        return letters;
    }

    /*
     * KEYS[1] {q}:dead   KEYS[2] the stream to requeue to   KEYS[3] {q}:t:<id>
     * ARGV[1] group   ARGV[2] dead letter id   ARGV[3] message ('' = the stored one)
     * Adds the task back to its queue as a fresh first attempt and removes the dead letter; a record it has says
     * PENDING again. Returns 1, or 0 if there was no such dead letter.
     */
    private static final LuaScript REQUEUE = new LuaScript("requeue-dead-letter", """
            local e = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])[1]
            if not e then return 0 end
            local id, body = '', ''
            for j = 1, #e[2], 2 do
              if e[2][j] == 'i' then id = e[2][j + 1] elseif e[2][j] == 'm' then body = e[2][j + 1] end
            end
            if ARGV[3] ~= '' then body = ARGV[3] end
            add_ready(KEYS[2], ARGV[1], id, body, '0', false)
            redis.call('XDEL', KEYS[1], ARGV[2])
            if redis.call('EXISTS', KEYS[3]) == 1 then
              redis.call('HSET', KEYS[3], 'state', 'PENDING')
              redis.call('HDEL', KEYS[3], 'error.type', 'error.message', 'error.stack', 'finished', 'next')
            end
            return 1
            """, ScriptOutputType.INTEGER);

    boolean requeue(String queue, String deadLetterId, String taskId, byte @Nullable [] body, int priority) {
        Long reply = redis.await(REQUEUE.run(redis.commands(), new byte[][] { keys.dead(queue),
                keys.stream(queue, Integer.toString(priority)), keys.record(queue, taskId.isEmpty() ? "-" : taskId) },
                bytes(RedisKeys.GROUP), bytes(deadLetterId), body == null ? new byte[0] : body),
                "requeue dead letter " + deadLetterId);
        return reply == 1L;
    }

    boolean delete(String queue, String deadLetterId) {
        Long deleted = redis.await(redis.commands().xdel(keys.dead(queue), deadLetterId),
                "delete dead letter " + deadLetterId);
        return deleted == 1L;
    }

    private static int number(@Nullable String value) {
        return Math.max(0, RedisValues.count(value));
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
