package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.DeadLetter;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.internal.StoredText;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/** Reading, requeueing and deleting dead letters ({@code {p:q}:dead}, a capped stream). */
final class RedisDeadLetters {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisDeadLetters(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /*
     * KEYS[1] {q}:dead
     * ARGV[1] only ids above this one ('' = no bound)   ARGV[2] only ids below this one ('' = no bound)
     * ARGV[3] '1' oldest first, '0' newest first   ARGV[4] most letters   ARGV[5] bytes kept of each field and value
     * ARGV[6] bytes after which no further letter is read
     * Returns three items per letter, in order: its id, its fields and values (the first 32 pairs; each one longer
     * than ARGV[5] cut, ending with a marker that says its size), and the size of its message 'm'. It reads one
     * letter at a time (a whole page of large letters is never held, here or in the reply), and stops once the
     * letters it returns hold ARGV[6] bytes.
     */
    private static final LuaScript LIST = new LuaScript("list-dead-letters", StoredText.LUA_CUT + """
            local low = ARGV[1] == '' and '-' or '(' .. ARGV[1]
            local high = ARGV[2] == '' and '+' or '(' .. ARGV[2]
            local count, keep, budget = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
            local out, n, bytes = {}, 0, 0
            while n < count and bytes < budget do
              local e
              if ARGV[3] == '1' then e = redis.call('XRANGE', KEYS[1], low, high, 'COUNT', 1)[1]
              else e = redis.call('XREVRANGE', KEYS[1], high, low, 'COUNT', 1)[1] end
              if not e then break end
              local fields, size = {}, 0
              for j = 1, math.min(#e[2], 64) do
                local value = e[2][j]
                if j % 2 == 0 and e[2][j - 1] == 'm' then size = #value end
                fields[j] = cut(value, keep)
                bytes = bytes + #fields[j]
              end
              n = n + 1
              out[#out + 1] = e[1]
              out[#out + 1] = fields
              out[#out + 1] = size
              if ARGV[3] == '1' then low = '(' .. e[1] else high = '(' .. e[1] end
            end
            return out
            """, ScriptOutputType.MULTI);

    @SuppressWarnings("unchecked")
    List<DeadLetter> list(String queue, DeadLetterRead read) {
        List<Object> reply = redis.await(LIST.run(redis.commands(), new byte[][] { keys.dead(queue) },
                bytes(read.after() == null ? "" : read.after()), bytes(read.before() == null ? "" : read.before()),
                bytes(read.oldestFirst() ? "1" : "0"), bytes(Integer.toString(read.count())),
                bytes(Integer.toString(read.maxTextBytes())), bytes(Integer.toString(read.maxBytes()))),
                "list the dead letters of queue '" + queue + "'");
        List<DeadLetter> letters = new ArrayList<>(reply.size() / 3);
        for (int i = 0; i + 2 < reply.size(); i += 3) {
            List<Object> fields = (List<Object>) reply.get(i + 1);
            Map<String, String> f = new HashMap<>();
            for (int j = 0; j + 1 < fields.size(); j += 2) {
                f.put(string((byte[]) fields.get(j)), string((byte[]) fields.get(j + 1)));
            }
            letters.add(letter(queue, string((byte[]) reply.get(i)), f, ((Long) reply.get(i + 2)).intValue()));
        }
        return letters;
    }

    /** A letter from its fields, whatever they hold: a field that is missing or not a number reads as none. */
    private static DeadLetter letter(String queue, String id, Map<String, String> f, int messageSize) {
        return new DeadLetter(id, f.getOrDefault("i", ""), emptyToNull(f.get("task")), queue,
                f.getOrDefault("reason", ""), emptyToNull(f.get("error")), emptyToNull(f.get("message")),
                emptyToNull(f.get("stack")), (int) Math.min(number(f.get("attempt")), Integer.MAX_VALUE),
                (int) Math.min(number(f.get("deliveries")), Integer.MAX_VALUE),
                Instant.ofEpochMilli(number(f.get("at"))), emptyToNull(f.get("worker")), f.getOrDefault("m", ""),
                messageSize);
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

    /** A stored count or time; unreadable (written by something else) counts as 0. */
    private static long number(@Nullable String value) {
        return RedisValues.number(value, 0);
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
