package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Attempt;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.redis.BrowsedRows.Message;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Finds a task by id wherever it is, and reads its attempts, for {@link RedisQueueBrowser}. No index is needed:
 * <ol>
 * <li>a task that started, or was submitted with a caller-chosen id, has a record ({@code {q}:t:<id>});</li>
 * <li>a delayed one is in {@code {q}:dp} (scheduled, or retrying when {@code {q}:retrying} has it);</li>
 * <li>one that waits in a stream without a record has a generated id, a UUIDv7 that tells when it was submitted;
 * a stream entry's id is the time it was added, so the entry is next to that time. The search first reads
 * {@value #NEAR_LOOKED_AT} entries each way from it within {@link #NEAR_WINDOW} in each stream (where a producer
 * whose clock agrees with Redis's puts it), and only when no queue has it, at most {@value #LOOKED_AT} each way
 * within {@link #WINDOW} (a record's submission time serves the same way).</li>
 * </ol>
 * The near pass keeps a search over 100 queues of 10,000 tasks each at a few milliseconds of Redis time; the wide
 * one, 20 times the work, is paid only for a task that is not where its id says.
 */
final class RedisTaskFinder {

    /** Entries read each way from the submission time in each stream: the clock skew of a busy producer. */
    static final int LOOKED_AT = 500;

    /**
     * How far from the submission time an entry is looked for: a producer's clock a minute off is misconfigured.
     * The window makes a queue without entries near that time cost one lookup per stream, whatever its size.
     */
    static final Duration WINDOW = Duration.ofMinutes(1);

    /** Entries read each way in the first, near pass. */
    static final int NEAR_LOOKED_AT = 50;

    /** How far from the submission time the first pass looks. */
    static final Duration NEAR_WINDOW = Duration.ofSeconds(2);

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;

    RedisTaskFinder(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
    }

    /*
     * KEYS[1] {q}:t:<id>   KEYS[2] {q}:dp   KEYS[3] {q}:d   KEYS[4] {q}:retrying   KEYS[5..15] the streams, in claim
     * order
     * ARGV[1] task id   ARGV[2] group   ARGV[3] when it was submitted, ms ('' unknown)   ARGV[4] entries looked at per
     * stream and direction   ARGV[5] body bytes kept   ARGV[6] ms looked at each way   ARGV[7..] the record fields
     * Returns { the record fields' values (or an empty list when its key is not a hash), due score or '', 1 if
     * retrying, the body (delayed or in a stream; cut), stream band (1..11; 0 none), its consumer if claimed or '' }.
     * Streams are searched only for a task without a record state, or PENDING.
     */
    private static final LuaScript FIND = new LuaScript("find-task", StoredText.LUA_CUT + """
            local id, keep = ARGV[1], tonumber(ARGV[5])
            local fields = redis.pcall('HMGET', KEYS[1], unpack(ARGV, 7))
            if type(fields) ~= 'table' or fields.err then fields = {} end
            local state = fields[1]
            local due = redis.call('ZSCORE', KEYS[3], id)
            if due then
              local body = redis.call('HGET', KEYS[2], id) or ''
              local retrying = redis.call('ZSCORE', KEYS[4], id) and 1 or 0
              return { fields, due, retrying, cut(string.sub(body, 2), keep), 0, '' }
            end
            local submitted = read_int(fields[4]) or read_int(ARGV[3])
            if submitted and (not state or state == 'PENDING') then
              local n = tonumber(ARGV[4])
              for k = 5, 15 do
                if redis.call('TYPE', KEYS[k]).ok == 'stream' then
                  local w = tonumber(ARGV[6])
                  local near = redis.call('XRANGE', KEYS[k], submitted, submitted + w, 'COUNT', n)
                  local before = redis.call('XREVRANGE', KEYS[k], submitted, math.max(0, submitted - w), 'COUNT', n)
                  for _, e in ipairs(before) do near[#near + 1] = e end
                  for _, e in ipairs(near) do
                    if field_value(e[2], 'i') == id then
                      local held = redis.pcall('XPENDING', KEYS[k], ARGV[2], e[1], e[1], 1)
                      local consumer = ''
                      if type(held) == 'table' and not held.err and held[1] then consumer = held[1][2] end
                      return { fields, '', 0, cut(field_value(e[2], 'm') or '', keep), k - 4, consumer }
                    end
                  end
                end
              end
            end
            return { fields, '', 0, '', 0, '' }
            """, ScriptOutputType.MULTI);

    @Nullable BrowsedTask find(@Nullable String queue, String taskId) {
        Collection<String> queues = queue != null ? List.of(queue) : queueNames.all();
        Map<String, BrowsedTask> found = find(queues, taskId, NEAR_LOOKED_AT, NEAR_WINDOW);
        if (found.isEmpty()) {
            found = find(queues, taskId, LOOKED_AT, WINDOW);
        }
        String only = RedisRecords.onlyQueue(taskId, found);
        return only == null ? null : found.get(only);
    }

    /** The task in each of {@code queues} that has it, its streams searched {@code lookedAt} entries each way. */
    private Map<String, BrowsedTask> find(Collection<String> queues, String taskId, int lookedAt, Duration window) {
        long submitted = uuid7Millis(taskId);
        List<byte[]> args = new ArrayList<>(List.of(bytes(taskId), bytes(RedisKeys.GROUP),
                bytes(submitted < 0 ? "" : Long.toString(submitted)), bytes(Integer.toString(lookedAt)),
                bytes(Integer.toString(RedisQueueBrowser.BODY_BYTES)), bytes(Long.toString(window.toMillis()))));
        BrowsedRows.RECORD_FIELDS.forEach(f -> args.add(bytes(f)));
        byte[][] argv = args.toArray(byte[][]::new);
        Map<String, CompletableFuture<List<Object>>> replies = new LinkedHashMap<>();
        for (String q : queues) {
            byte[][] k = new byte[4 + RedisKeys.STREAMS_PER_QUEUE][];
            k[0] = keys.record(q, taskId);
            k[1] = keys.delayedPayloads(q);
            k[2] = keys.delayed(q);
            k[3] = keys.retrying(q);
            System.arraycopy(keys.streams(q), 0, k, 4, RedisKeys.STREAMS_PER_QUEUE);
            replies.put(q, FIND.run(redis.commands(), k, argv));
        }
        Map<String, BrowsedTask> found = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<List<Object>>> reply : replies.entrySet()) {
            String q = reply.getKey();
            List<Object> r = redis.await(reply.getValue(), "find task " + taskId + " in queue '" + q + "'");
            String due = string(r.get(1));
            boolean delayed = !due.isEmpty();
            BrowsedRows.Record record = BrowsedRows.info(taskId, q, BrowsedRows.recordFields(r.get(0)), delayed);
            long band = (Long) r.get(4);
            Message message = Message.of((byte[]) r.get(3));
            String consumer = string(r.get(5));
            if (delayed) {
                String state = (Long) r.get(2) == 1L ? "RETRY" : "SCHEDULED";
                found.put(q, BrowsedRows.row(taskId, q, state, message, record,
                        Instant.ofEpochMilli((long) Double.parseDouble(due)), null));
            }
            else if (band > 0) {
                found.put(q, BrowsedRows.row(taskId, q, consumer.isEmpty() ? "PENDING" : "STARTED", message, record,
                        null, consumer.isEmpty() ? null : consumer));
            }
            else if (record != null) {
                found.put(q, BrowsedRows.row(taskId, q, null, message, record, null, null));
            }
        }
        return found;
    }

    /** The time of a UUIDv7 (generated ids are, see {@link dev.taskqueue.TaskIds}), or -1 for any other id. */
    static long uuid7Millis(String id) {
        if (id.length() != 36 || id.charAt(14) != '7' || id.charAt(8) != '-' || id.charAt(13) != '-') {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(0, 8) + id.substring(9, 13), 16);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------ attempts

    List<Attempt> attempts(String queue, String taskId) {
        CompletableFuture<List<byte[]>> listed = redis.commands().lrange(keys.attempts(queue, taskId), 0, -1)
                .toCompletableFuture();
        List<CompletableFuture<List<Object>>> recordReply = BrowsedRows.readRecords(redis, keys, queue,
                List.of(taskId));
        List<Attempt> attempts = new ArrayList<>();
        for (byte[] json : redis.await(listed, "read the attempts of task " + taskId)) {
            Attempt attempt = attempt(json);
            if (attempt != null) {
                attempts.add(attempt);
            }
        }
        BrowsedRows.Record stored = BrowsedRows.awaitRecord(redis, queue, taskId, recordReply.get(0), false);
        TaskInfo record = stored == null ? null : stored.info();
        // A success, and a run under way, are the last attempt: the record tells them, the list does not repeat them.
        if (record != null && (record.state() == TaskState.SUCCESS || record.state() == TaskState.STARTED)
                && (attempts.isEmpty() || attempts.get(attempts.size() - 1).attempt() < record.attempt())) {
            attempts.add(new Attempt(record.attempt(), record.worker(), record.startedAt(), record.finishedAt(),
                    record.state().name(), null));
        }
        int from = Math.max(0, attempts.size() - RedisQueueBrowser.ATTEMPTS_KEPT);
        return List.copyOf(attempts.subList(from, attempts.size()));
    }

    /** One attempt as the ACKNOWLEDGE script encodes it; null when it is not one (another writer). */
    private static @Nullable Attempt attempt(byte[] json) {
        JsonNode o;
        try {
            o = RunningJson.JSON.readTree(json);
        }
        catch (JacksonException ex) {
            return null;
        }
        if (o == null || !o.isObject() || !o.path("st").isString()) {
            return null;
        }
        String type = text(o, "et");
        TaskError error = type == null ? null : new TaskError(type, text(o, "em"), text(o, "es"), false);
        return new Attempt(o.path("a").asInt(0), text(o, "w"), instant(o, "s"), instant(o, "f"),
                o.path("st").asString(), error);
    }

    private static @Nullable String text(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v != null && v.isString() && !v.asString().isEmpty() ? v.asString() : null;
    }

    private static @Nullable Instant instant(JsonNode o, String name) {
        JsonNode v = o.get(name);
        return v != null && v.canConvertToLong() && v.asLong() > 0 ? Instant.ofEpochMilli(v.asLong()) : null;
    }
}
