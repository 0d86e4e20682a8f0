package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.Attempt;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.redis.BrowsedRows.Message;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's reads of tasks on Redis, each in one round trip or two, each bounded by the page asked for:
 * <pre>
 * pending    XINFO GROUPS {taskqueue:q}:s:&lt;b&gt;, XRANGE {taskqueue:q}:s:&lt;b&gt; (&lt;last delivered&gt; + COUNT n
 * running    XPENDING {taskqueue:q}:s:&lt;b&gt; workers (&lt;cursor&gt; + n, XRANGE of each entry, HMGET of its record
 * scheduled  ZRANGEBYSCORE {taskqueue:q}:d &lt;from&gt; +inf WITHSCORES LIMIT &lt;ties read&gt; n (skipping the ids of
 *            {taskqueue:q}:retrying), HGET {taskqueue:q}:dp &lt;id&gt;
 * retrying   ZRANGEBYSCORE {taskqueue:q}:retrying ... the same way, then HMGET of each record
 * results    XREVRANGE {taskqueue:q}:done (&lt;cursor&gt; - COUNT n (an entry's tasks backwards), HMGET of each record
 * attempts   LRANGE {taskqueue:q}:a:&lt;id&gt; 0 -1 (JSON objects), HMGET {taskqueue:q}:t:&lt;id&gt;
 * failures   XREVRANGE {taskqueue:q}:failures per queue, merged newest first ({@link RedisFailures})
 * running()  ZRANGE {taskqueue}:workers 0 -1, HGET {taskqueue}:worker:&lt;id&gt; running (JSON, {@link RunningJson})
 * run now    ZADD {taskqueue:q}:d XX &lt;now&gt; &lt;id&gt; (and :retrying), PUBLISH {taskqueue}:wake q
 * </pre>
 * Finding a task by id is {@link RedisTaskFinder}'s. The indexes it reads are written by the scripts that move tasks
 * ({@link RedisOutcomes}, {@link RedisPromotions}), in the queue's slot, and are bounded: {@value #RESULTS_KEPT}
 * finished tasks per queue, {@value #FAILURES_KEPT} failures per queue for at most {@link #FAILURES_MAX_AGE}, the last
 * {@value #ATTEMPTS_KEPT} attempts per task (for as long as its record lives).
 */
public final class RedisQueueBrowser implements QueueBrowser {

    /**
     * Finished tasks listed per queue: about as many as a day of a modest queue, more than anyone pages through (the
     * record of each, if still there, is read when listed).
     */
    public static final int RESULTS_KEPT = 10_000;

    /** Failures kept per queue for the failures page, as dead letters are by default. */
    public static final int FAILURES_KEPT = 10_000;

    /** How long a failure is listed: a week, as dead letters are kept by default. */
    public static final Duration FAILURES_MAX_AGE = Duration.ofDays(7);

    /** Bytes of an error message kept in the failures list (the record and the attempts keep the whole of it). */
    public static final int FAILURE_MESSAGE_BYTES = 1024;

    /** Attempts kept per task: enough for any sensible retry policy, and bounded for one that retries forever. */
    public static final int ATTEMPTS_KEPT = 16;

    /** The most tasks of one page. */
    public static final int MAX_PAGE = 500;

    /** Bytes of a message read for a row: its name and arguments are at the start; a longer one shows without. */
    static final int BODY_BYTES = 64 * 1024;

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisTaskFinder finder;
    private final RedisFailures failures;

    RedisQueueBrowser(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames) {
        this.redis = redis;
        this.keys = keys;
        this.finder = new RedisTaskFinder(redis, keys, queueNames);
        this.failures = new RedisFailures(redis, keys, queueNames);
    }

    @Override
    public Page tasks(String queue, Listing listing, @Nullable String cursor, int count) {
        int n = Math.max(1, Math.min(count, MAX_PAGE));
        return switch (listing) {
            case PENDING -> streams(PENDING, queue, cursor, n);
            case RUNNING -> streams(RUNNING, queue, cursor, n);
            case SCHEDULED -> delayed(queue, false, cursor, n);
            case RETRYING -> delayed(queue, true, cursor, n);
            case RESULTS -> results(queue, cursor, n);
        };
    }

    // ------------------------------------------------------------------------------------------ pending, running

    /** Shared by the stream listings: whether stream id {@code a} is after {@code b}. */
    private static final String LUA_AFTER = """
            local function after(a, b)
              local am, as = string.match(a, '^(%d+)-(%d+)$')
              local bm, bs = string.match(b, '^(%d+)-(%d+)$')
              if not am or not bm then return false end
              am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
              return am > bm or (am == bm and as > bs)
            end
            """;

    /*
     * KEYS[1..11] the queue's streams in claim order   ARGV[1] group   ARGV[2] first band (1..11)
     * ARGV[3] the entry of that band the page starts after ('' = its start)   ARGV[4] count   ARGV[5] body bytes kept
     * Returns { {entry id, task id, body (cut), '' , 0} per task not yet delivered, in claim order; the band and entry
     * the next page starts after, or 0 and '' when there is none }. An entry without a task id is left out.
     */
    private static final LuaScript PENDING = new LuaScript("browse-pending", StoredText.LUA_CUT + LUA_AFTER + """
            local first, count = tonumber(ARGV[2]), tonumber(ARGV[4])
            local out, n, last = {}, 0, ''
            for k = first, 11 do
              if redis.call('TYPE', KEYS[k]).ok == 'stream' then
                local low = '0-0'
                for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[k])) do
                  if field_value(g, 'name') == ARGV[1] then low = field_value(g, 'last-delivered-id') end
                end
                if k == first and ARGV[3] ~= '' and after(ARGV[3], low) then low = ARGV[3] end
                for _, e in ipairs(redis.call('XRANGE', KEYS[k], '(' .. low, '+', 'COUNT', count - n + 1)) do
                  local id = field_value(e[2], 'i')
                  if id then
                    if n == count then return { out, k, last } end
                    out[#out + 1] = { e[1], id, cut(field_value(e[2], 'm') or '', tonumber(ARGV[5])), '', 0 }
                    n, last = n + 1, e[1]
                  end
                end
                last = ''
              end
            end
            return { out, 0, '' }
            """, ScriptOutputType.MULTI);

    /*
     * KEYS and ARGV as PENDING's. Returns { {entry id, task id, body (cut), consumer, deliveries} per task delivered
     * and not acknowledged, in claim order; the next page's band and entry, or 0 and '' }. A band without the group
     * holds none.
     */
    private static final LuaScript RUNNING = new LuaScript("browse-running", StoredText.LUA_CUT + """
            local first, count = tonumber(ARGV[2]), tonumber(ARGV[4])
            local out, n, last = {}, 0, ''
            for k = first, 11 do
              local low = '-'
              if k == first and ARGV[3] ~= '' then low = '(' .. ARGV[3] end
              local held = redis.pcall('XPENDING', KEYS[k], ARGV[1], low, '+', count - n + 1)
              if type(held) == 'table' and not held.err then
                for _, p in ipairs(held) do
                  if n == count then return { out, k, last } end
                  local e = redis.call('XRANGE', KEYS[k], p[1], p[1])[1]
                  local id, body = '', ''
                  if e then id, body = field_value(e[2], 'i') or '', field_value(e[2], 'm') or '' end
                  out[#out + 1] = { p[1], id, cut(body, tonumber(ARGV[5])), p[2], p[4] }
                  n, last = n + 1, p[1]
                end
              end
              last = ''
            end
            return { out, 0, '' }
            """, ScriptOutputType.MULTI);

    @SuppressWarnings("unchecked")
    private Page streams(LuaScript script, String queue, @Nullable String cursor, int count) {
        int band = 1;
        String after = "";
        if (cursor != null && !cursor.isEmpty()) {
            int colon = cursor.indexOf(':');
            band = (int) Math.min(11, Math.max(1, RedisValues.number(colon < 0 ? cursor : cursor.substring(0, colon),
                    1)));
            after = colon < 0 ? "" : cursor.substring(colon + 1);
        }
        List<Object> reply = redis.await(script.run(redis.commands(), keys.streams(queue), bytes(RedisKeys.GROUP),
                bytes(Integer.toString(band)), bytes(after), bytes(Integer.toString(count)),
                bytes(Integer.toString(BODY_BYTES))), "list the tasks of queue '" + queue + "'");
        List<List<Object>> entries = (List<List<Object>>) reply.get(0);
        boolean running = script == RUNNING;
        List<CompletableFuture<List<Object>>> records = running ? BrowsedRows.readRecords(redis, keys, queue,
                entries.stream().map(e -> string(e.get(1))).toList()) : List.of();
        List<BrowsedTask> tasks = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<Object> e = entries.get(i);
            String taskId = string(e.get(1));
            Message message = Message.of((byte[]) e.get(2));
            if (running) {
                BrowsedRows.Record record = BrowsedRows.awaitRecord(redis, queue, taskId, records.get(i), false);
                tasks.add(BrowsedRows.row(taskId, queue, "STARTED", message, record, null, string(e.get(3))));
            }
            else {
                BrowsedTask row = BrowsedRows.row(taskId, queue, "PENDING", message, null, null, null);
                tasks.add(row.submittedAt() != null ? row
                        : withSubmitted(row, BrowsedRows.entryTime(string(e.get(0)))));
            }
        }
        long nextBand = (Long) reply.get(1);
        return new Page(tasks, nextBand == 0 ? null : nextBand + ":" + string(reply.get(2)));
    }

    private static BrowsedTask withSubmitted(BrowsedTask t, @Nullable Instant submittedAt) {
        return new BrowsedTask(t.id(), t.queue(), t.name(), t.state(), submittedAt, t.dueAt(), t.startedAt(),
                t.finishedAt(), t.attempt(), t.worker(), t.error(), t.argumentsJson(), t.deadLetterId(), t.context());
    }

    // ------------------------------------------------------------------------------------------ scheduled, retrying

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3] {q}:retrying
     * ARGV[1] 'R' retrying, 'S' scheduled   ARGV[2] the score the page starts at ('-inf' first)   ARGV[3] how many
     * ids with exactly that score were read already   ARGV[4] count   ARGV[5] most ids looked at   ARGV[6] body bytes
     * Lists by due time the ids of {q}:retrying that are still delayed, or the ids of {q}:d that are not retrying.
     * Returns { {id, due score, body (cut)} per task; the score and ties read of the next page, or '' and 0 }. A page
     * that looked at ARGV[5] ids ends there (shorter: the next one goes on), so that a page costs what it asks for.
     */
    private static final LuaScript DELAYED = new LuaScript("browse-delayed", StoredText.LUA_CUT + """
            local retrying = ARGV[1] == 'R'
            local index = retrying and KEYS[3] or KEYS[1]
            local other = retrying and KEYS[1] or KEYS[3]
            local score, skip = ARGV[2], tonumber(ARGV[3])
            local count, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
            local out, n, seen = {}, 0, 0
            if redis.call('TYPE', index).ok ~= 'zset' then return { out, '', 0 } end
            while seen < budget do
              local batch = redis.call('ZRANGEBYSCORE', index, score, '+inf', 'WITHSCORES', 'LIMIT', skip,
                math.min(count - n + 1, budget - seen))
              if #batch == 0 then return { out, '', 0 } end
              for j = 1, #batch, 2 do
                if n == count then return { out, score, skip } end
                local id, s = batch[j], batch[j + 1]
                if s == score then skip = skip + 1 else score, skip = s, 1 end
                seen = seen + 1
                local there = redis.call('ZSCORE', other, id)
                if (retrying and there) or (not retrying and not there) then
                  local v = redis.call('HGET', KEYS[2], id)
                  if v and #v > 1 then
                    out[#out + 1] = { id, s, cut(string.sub(v, 2), tonumber(ARGV[6])) }
                    n = n + 1
                  end
                end
              end
            end
            return { out, score, skip }
            """, ScriptOutputType.MULTI);

    @SuppressWarnings("unchecked")
    private Page delayed(String queue, boolean retrying, @Nullable String cursor, int count) {
        String score = "-inf";
        long skip = 0;
        if (cursor != null && !cursor.isEmpty()) {
            int slash = cursor.lastIndexOf('/');
            score = slash < 0 ? cursor : cursor.substring(0, slash);
            skip = slash < 0 ? 0 : RedisValues.number(cursor.substring(slash + 1), 0);
        }
        List<Object> reply = redis.await(DELAYED.run(redis.commands(), new byte[][] { keys.delayed(queue),
                keys.delayedPayloads(queue), keys.retrying(queue) }, bytes(retrying ? "R" : "S"), bytes(score),
                bytes(Long.toString(skip)), bytes(Integer.toString(count)), bytes(Integer.toString(count * 10 + 100)),
                bytes(Integer.toString(BODY_BYTES))), "list the delayed tasks of queue '" + queue + "'");
        List<List<Object>> entries = (List<List<Object>>) reply.get(0);
        List<CompletableFuture<List<Object>>> records = retrying ? BrowsedRows.readRecords(redis, keys, queue,
                entries.stream().map(e -> string(e.get(0))).toList()) : List.of();
        List<BrowsedTask> tasks = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            List<Object> e = entries.get(i);
            String taskId = string(e.get(0));
            Instant due = Instant.ofEpochMilli((long) Double.parseDouble(string(e.get(1))));
            BrowsedRows.Record record = retrying ? BrowsedRows.awaitRecord(redis, queue, taskId, records.get(i), true)
                    : null;
            tasks.add(BrowsedRows.row(taskId, queue, retrying ? "RETRY" : "SCHEDULED", Message.of((byte[]) e.get(2)),
                    record, due, null));
        }
        String next = string(reply.get(1));
        return new Page(tasks, next.isEmpty() ? null : next + "/" + reply.get(2));
    }

    // ------------------------------------------------------------------------------------------ results

    /** A task {@code {q}:done} lists, and its place: its entry, and how many of that entry's tasks are newer. */
    private record Finished(String entry, int newer, String taskId, String task, String state) {
    }

    /**
     * Newest first: the entries backwards, and each entry's tasks (one script's, oldest first) backwards. A page that
     * ends inside an entry gives the cursor {@code <entry>/<its tasks listed>}; one that ends with an entry, the
     * entry's id (the cursor of entries of one task each, as older writers left them).
     */
    private Page results(String queue, @Nullable String cursor, int count) {
        String from = cursor == null ? "" : cursor;
        int slash = from.indexOf('/');
        String entry = slash < 0 ? from : from.substring(0, slash);
        long listedOfEntry = slash < 0 ? 0 : RedisValues.number(from.substring(slash + 1), 0);
        Range<String> range = entry.isEmpty() ? Range.create("-", "+")
                : Range.from(Range.Boundary.including("-"), slash < 0 ? Range.Boundary.excluding(entry)
                        : Range.Boundary.including(entry));
        // every entry lists a task at least: count + 1 of them fill the page and tell whether another follows
        List<StreamMessage<byte[], byte[]>> entries = redis.await(redis.commands().xrevrange(keys.done(queue), range,
                Limit.from(count + 1)), "list the finished tasks of queue '" + queue + "'");
        List<Finished> finished = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> e : entries) {
            List<Finished> listed = finishedIn(e);
            finished.addAll(listed.subList((int) Math.min(e.getId().equals(entry) ? listedOfEntry : 0,
                    listed.size()), listed.size()));
        }
        boolean more = finished.size() > count;
        List<Finished> page = more ? finished.subList(0, count) : finished;
        List<CompletableFuture<List<Object>>> records = BrowsedRows.readRecords(redis, keys, queue,
                page.stream().map(Finished::taskId).toList());
        List<BrowsedTask> tasks = new ArrayList<>();
        for (int i = 0; i < page.size(); i++) {
            Finished f = page.get(i);
            BrowsedRows.Record record = BrowsedRows.awaitRecord(redis, queue, f.taskId(), records.get(i), false);
            BrowsedTask row = BrowsedRows.row(f.taskId(), queue, record != null ? null : f.state(), Message.NONE,
                    record, null, null);
            if (record == null) { // expired: what the list kept
                row = new BrowsedTask(row.id(), queue, emptyToNull(f.task()), row.state(), null, null, null,
                        BrowsedRows.entryTime(f.entry()), 0, null, null, null, null);
            }
            tasks.add(row);
        }
        if (!more) {
            return new Page(tasks, null);
        }
        Finished last = page.get(count - 1);
        boolean entryGoesOn = finished.get(count).entry().equals(last.entry());
        return new Page(tasks, entryGoesOn ? last.entry() + "/" + (last.newer() + 1) : last.entry());
    }

    /**
     * The tasks of one {@code {q}:done} entry, newest first. An entry is {@code t: [[ids], [names], [states]]} in
     * JSON, oldest first; older writers wrote {@code i, n, s} of one task. An entry that is neither lists nothing.
     */
    private static List<Finished> finishedIn(StreamMessage<byte[], byte[]> entry) {
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> states = new ArrayList<>();
        String json = field(entry, "t");
        if (json.isEmpty()) {
            ids.add(field(entry, "i"));
            names.add(field(entry, "n"));
            states.add(field(entry, "s"));
        }
        else {
            try {
                JsonNode columns = RunningJson.JSON.readTree(json);
                for (int t = 0; t < columns.path(0).size(); t++) {
                    ids.add(columns.path(0).path(t).asString(""));
                    names.add(columns.path(1).path(t).asString(""));
                    states.add(columns.path(2).path(t).asString(""));
                }
            }
            catch (JacksonException unreadable) { // not our writer's: a dashboard lists what it can read
                ids.clear();
            }
        }
        List<Finished> newestFirst = new ArrayList<>();
        for (int t = ids.size() - 1; t >= 0; t--) {
            if (!ids.get(t).isEmpty()) {
                newestFirst.add(new Finished(entry.getId(), newestFirst.size(), ids.get(t), names.get(t),
                        states.get(t)));
            }
        }
        return newestFirst;
    }

    // ------------------------------------------------------------------------------------------ by id

    @Override
    public @Nullable BrowsedTask find(@Nullable String queue, String taskId) {
        return finder.find(queue, taskId);
    }

    @Override
    public List<Attempt> attempts(String queue, String taskId) {
        return finder.attempts(queue, taskId);
    }

    @Override
    public Page failures(FailureFilter filter, @Nullable String cursor, int count) {
        return failures.read(filter, cursor, Math.max(1, Math.min(count, MAX_PAGE)));
    }

    // ------------------------------------------------------------------------------------------ workers

    @Override
    public Map<String, List<BrowsedTask>> running() {
        List<ScoredValue<byte[]>> ids = redis.await(redis.commands().zrangeWithScores(keys.workers(), 0, -1),
                "list workers");
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (ScoredValue<byte[]> id : ids) {
            replies.add(redis.commands().hmget(keys.worker(string(id.getValue())), bytes("running"), bytes("state"))
                    .thenApply(values -> values.stream().map(v -> (Object) v.getValueOrElse(null)).toList())
                    .toCompletableFuture());
        }
        Map<String, List<BrowsedTask>> running = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            List<Object> info = redis.await(replies.get(i), "read what the workers run");
            if (info.get(1) == null) {
                continue; // its info expired: it is not live
            }
            String worker = string(ids.get(i).getValue());
            List<BrowsedTask> tasks = new ArrayList<>();
            for (Broker.RunningTask t : RunningJson.read(info.get(0) == null ? null : string(info.get(0)))) {
                tasks.add(new BrowsedTask(t.taskId(), t.queue(), t.taskName(), "STARTED", null, null,
                        t.startedAt() > 0 ? Instant.ofEpochMilli(t.startedAt()) : null, null, 0, worker, null, null,
                        null));
            }
            running.put(worker, tasks);
        }
        return running;
    }

    // ------------------------------------------------------------------------------------------ run now

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:retrying   ARGV[1] task id   ARGV[2] wake channel   ARGV[3] queue
     * Makes a delayed task due now and wakes the promoters. Returns 1, or 0 when the task is not delayed.
     */
    private static final LuaScript RUN_NOW = new LuaScript("run-now", """
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
            local now = now_ms()
            redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
            redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 1
            """, ScriptOutputType.INTEGER);

    @Override
    public boolean runNow(String queue, String taskId) {
        Long reply = redis.await(RUN_NOW.run(redis.commands(), new byte[][] { keys.delayed(queue),
                keys.retrying(queue) }, bytes(taskId), bytes(keys.wakeChannel()), bytes(queue)),
                "run task " + taskId + " of queue '" + queue + "' now");
        return reply == 1L;
    }

    static String field(StreamMessage<byte[], byte[]> entry, String name) {
        for (Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
            if (string(f.getKey()).equals(name)) {
                return string(f.getValue());
            }
        }
        return "";
    }

    static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
