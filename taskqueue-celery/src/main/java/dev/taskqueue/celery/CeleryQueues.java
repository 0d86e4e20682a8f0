package dev.taskqueue.celery;

import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * A Java worker's side of kombu's Redis transport, each step one script, so that a message is never only in memory:
 * <pre>
 * take     RPOP &lt;list&gt; n ; HSET unacked &lt;tag&gt; [env, "", queue] ; ZADD unacked_index &lt;now&gt; &lt;tag&gt; ; SADD held &lt;tag&gt;
 * finish   results (SET EX + PUBLISH), follow-up messages (LPUSH), chord keys to drop (DEL), then the acknowledgement
 *          (HDEL unacked ; ZREM unacked_index ; SREM held), all at once
 * park     a message due later leaves unacked for taskqueue-celery:parked, scored by when it is due
 * </pre>
 * Kombu pops with {@code BRPOP}, then records the delivery in a second round trip: a consumer killed between the two
 * loses the message. Here the pop and the record are one script. The bookkeeping is kombu's own ({@code unacked},
 * {@code unacked_index}, the value {@code [envelope, exchange, routing_key]}), so a Python worker's restore and a Java
 * worker's agree; the set {@code taskqueue-celery:held:<node>} says which deliveries a Java worker holds, so that
 * they come back within seconds when it dies ({@link CeleryRecovery}).
 */
final class CeleryQueues {

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:held:<node>; KEYS[4]: taskqueue-celery:tags;
    // KEYS[5..]: the lists, in order
    // ARGV[1]: how many messages at most; ARGV[2]: now, Unix seconds; ARGV[3..]: the queue of KEYS[5..]
    // Returns queue, delivery tag, envelope of each message taken, flat. Each delivery gets a tag of its own (the
    // envelope's, a '#' and a counter): a message restored and taken again is another delivery, and the end of the
    // first one can never acknowledge the second. Kombu keys unacked by whatever tag it finds there.
    private static final CeleryRedis.Script TAKE = new CeleryRedis.Script("""
            local max = tonumber(ARGV[1])
            local out = {}
            local taken = 0
            for i = 5, #KEYS do
              if taken >= max then break end
              local items = redis.call('RPOP', KEYS[i], max - taken)
              if items then
                local queue = ARGV[i - 2]
                for _, raw in ipairs(items) do
                  local tag = (string.match(raw, '"delivery_tag"%s*:%s*"([^"]+)"') or 'delivery')
                      .. '#' .. redis.call('INCR', KEYS[4])
                  redis.call('HSET', KEYS[1], tag, '[' .. raw .. ', "", ' .. cjson.encode(queue) .. ']')
                  redis.call('ZADD', KEYS[2], ARGV[2], tag)
                  redis.call('SADD', KEYS[3], tag)
                  out[#out + 1] = queue
                  out[#out + 1] = tag
                  out[#out + 1] = raw
                  taken = taken + 1
                end
              end
            end
            return out
            """);

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:held:<node>; KEYS[4]: _kombu.binding.celery
    // ARGV[1]: result TTL, seconds (0: none); ARGV[2]: how many ends; then for each end: its delivery tag, r, p, d,
    // r times (result key, meta), p times (list, queue, envelope), d keys to drop.
    // An end whose delivery is still held is acknowledged, and what follows it is sent; one whose delivery is no longer
    // held (restored meanwhile, or recorded by an earlier run of this script whose reply was lost) has its result
    // stored, but sends nothing: the delivery runs again, or already sent it. A stored SUCCESS is final (Celery's
    // guard). Returns the tags no longer held.
    private static final CeleryRedis.Script FINISH = new CeleryRedis.Script(CeleryResults.IS_SUCCESS + """
            local ttl = tonumber(ARGV[1])
            local at = 3
            local lost = {}
            for _ = 1, tonumber(ARGV[2]) do
              local tag = ARGV[at]
              local r, p, d = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
              at = at + 4
              local held = redis.call('HDEL', KEYS[1], tag) == 1
              redis.call('ZREM', KEYS[2], tag)
              redis.call('SREM', KEYS[3], tag)
              if not held then lost[#lost + 1] = tag end
              for _ = 1, r do
                local key, meta = ARGV[at], ARGV[at + 1]
                if not is_success(redis.call('GET', key)) then
                  if ttl > 0 then redis.call('SET', key, meta, 'EX', ttl) else redis.call('SET', key, meta) end
                  redis.call('PUBLISH', key, meta)
                end
                at = at + 2
              end
              for _ = 1, p do
                if held then
                  redis.call('SADD', KEYS[4], ARGV[at + 1] .. '\\6\\22\\6\\22' .. ARGV[at + 1])
                  redis.call('LPUSH', ARGV[at], ARGV[at + 2])
                end
                at = at + 3
              end
              for _ = 1, d do
                if held then redis.call('DEL', ARGV[at]) end
                at = at + 1
              end
            end
            return lost
            """);

    // KEYS[1]: unacked; KEYS[2]: unacked_index; KEYS[3]: taskqueue-celery:held:<node>; KEYS[4]: taskqueue-celery:parked
    // ARGV[1]: the delivery tag; ARGV[2]: due, Unix ms; ARGV[3]: queue; ARGV[4]: envelope
    // Returns 1 when parked, 0 when the delivery was no longer held (another worker restored it meanwhile).
    private static final CeleryRedis.Script PARK = new CeleryRedis.Script("""
            if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
            redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('SREM', KEYS[3], ARGV[1])
            redis.call('ZADD', KEYS[4], ARGV[2], ARGV[3] .. '\\n' .. ARGV[4])
            return 1
            """);

    // KEYS[1]: celery-taskset-meta-<gid>.j; KEYS[2]: ....t; KEYS[3]: ....s
    // ARGV[1]: the part's score (its group index, or +inf); ARGV[2]: [1, task id, state, result]; ARGV[3]: TTL, s (0: none)
    // Returns every part in order when this one completed the chord (count = size + extra), else nothing. As Celery's
    // on_chord_part_return: ZADD and ZCOUNT in one step, so one part only sees the chord complete; whoever does
    // sends the body, then drops the keys.
    private static final CeleryRedis.Script CHORD_PART = new CeleryRedis.Script("""
            redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
            local count = redis.call('ZCOUNT', KEYS[1], '-inf', '+inf')
            local extra = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
            local size = redis.call('GET', KEYS[3])
            if tonumber(ARGV[3]) > 0 then
              for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
            end
            if size and count == tonumber(size) + extra then
              return redis.call('ZRANGE', KEYS[1], 0, -1)
            end
            return {}
            """);

    /** A message taken from a list: its queue, its delivery tag, its envelope. */
    record Taken(String queue, String tag, String envelope) {
    }

    /** What the end of one delivery stores, sends and drops, recorded with its acknowledgement. */
    static final class Finish {

        final String tag;
        final List<String> results = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        final List<String> drops = new ArrayList<>();

        /** @param tag the delivery it ends */
        Finish(String tag) {
            this.tag = tag;
        }

        void result(String taskId, String meta) {
            results.add(CeleryKeys.result(taskId));
            results.add(meta);
        }

        void send(CeleryOutgoing message, String origin) {
            send(message.queue, message.listKey(), message.envelope(origin));
        }

        void send(String queue, String list, String envelope) {
            messages.add(list);
            messages.add(queue);
            messages.add(envelope);
        }

        void drop(String key) {
            drops.add(key);
        }
    }

    private final CeleryRedis redis;
    private final String node;

    CeleryQueues(CeleryRedis redis, String node) {
        this.redis = redis;
        this.node = node;
    }

    /** Takes up to {@code max} messages from these queues, priority 0 of every queue first. */
    List<Taken> take(List<String> queues, int max) {
        List<String> lists = CeleryKeys.consumeOrder(queues);
        List<String> keys = new ArrayList<>(lists.size() + 4);
        keys.add(CeleryKeys.UNACKED);
        keys.add(CeleryKeys.UNACKED_INDEX);
        keys.add(CeleryKeys.heldBy(node));
        keys.add(CeleryKeys.TAGS);
        keys.addAll(lists);
        List<String> args = new ArrayList<>(lists.size() + 2);
        args.add(Integer.toString(max));
        args.add(unixSeconds(System.currentTimeMillis()));
        for (int step = 0; step < CeleryKeys.PRIORITY_STEPS.length; step++) {
            args.addAll(queues);
        }
        List<String> flat = TAKE.run(redis, "take Celery messages", ScriptOutputType.MULTI, keys, args);
        List<Taken> taken = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            taken.add(new Taken(flat.get(i), flat.get(i + 1), flat.get(i + 2)));
        }
        return taken;
    }

    /** Records ends with their acknowledgements, in one script; returns the delivery tags that were no longer held. */
    List<String> finish(List<Finish> ends, long resultTtlSeconds) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(resultTtlSeconds));
        args.add(Integer.toString(ends.size()));
        for (Finish end : ends) {
            args.add(end.tag);
            args.add(Integer.toString(end.results.size() / 2));
            args.add(Integer.toString(end.messages.size() / 3));
            args.add(Integer.toString(end.drops.size()));
            args.addAll(end.results);
            args.addAll(end.messages);
            args.addAll(end.drops);
        }
        return FINISH.run(redis, "record Celery results", ScriptOutputType.MULTI, List.of(CeleryKeys.UNACKED,
                CeleryKeys.UNACKED_INDEX, CeleryKeys.heldBy(node), CeleryKeys.bindings("celery")), args);
    }

    /** Moves a held message that is not due yet to the parked set; false when it was no longer held. */
    boolean park(Taken taken, long dueMillis) {
        Long parked = PARK.run(redis, "park a Celery message", ScriptOutputType.INTEGER, List.of(CeleryKeys.UNACKED,
                CeleryKeys.UNACKED_INDEX, CeleryKeys.heldBy(node), CeleryKeys.PARKED),
                List.of(taken.tag(), Long.toString(dueMillis), taken.queue(), taken.envelope()));
        return parked == 1;
    }

    /**
     * Adds a header task's part to its chord; returns every part, in order, when it completed the chord, else an
     * empty list.
     */
    List<String> chordPart(String groupId, @Nullable Integer index, String part, long ttlSeconds) {
        return CHORD_PART.run(redis, "report to a Celery chord", ScriptOutputType.MULTI,
                List.of(CeleryKeys.chordParts(groupId), CeleryKeys.chordExtra(groupId), CeleryKeys.chordSize(groupId)),
                List.of(index == null ? "+inf" : index.toString(), part, Long.toString(ttlSeconds)));
    }

    /** Kombu's score: Unix time in seconds, with milliseconds. */
    static String unixSeconds(long millis) {
        return millis / 1000 + "." + String.format("%03d", millis % 1000);
    }
}
