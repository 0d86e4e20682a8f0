package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.StoredText;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * The read and admin side of Redis, as {@code inspect.go} is asynq's: queue counts, the tasks a queue holds, workers,
 * dead letters and open chords read; pauses, purges, dead letter requeues and revocations written. The worker's path
 * never comes here: a pause reaches it through the {@code {p:q}:paused} flag its claims read (and
 * {@link RedisPauses}), a revocation through {@code {p:q}:revoked} and its channel ({@link RedisRevocations}).
 * <pre>
 * SET {taskqueue:q}:paused 1                 pause (then PUBLISH {taskqueue}:control "pause q")
 * DEL {taskqueue:q}:paused                   resume (then PUBLISH {taskqueue}:control "resume q")
 * XREVRANGE {taskqueue:q}:dead + - COUNT 1   one dead letter at a time, in a script that bounds the bytes read
 * XDEL {taskqueue:q}:dead &lt;id&gt;              delete a dead letter
 * ZRANGE {taskqueue}:workers 0 -1 WITHSCORES, HGETALL {taskqueue}:worker:&lt;id&gt;   the workers
 * </pre>
 * Built by {@link RedisStores}, which shares this instance's pauses and revocations with its broker.
 */
public final class RedisQueueAdmin implements QueueAdmin {

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;
    private final RedisPauses pauses;
    private final RedisRevocations revocations;
    private final RedisWorkflows workflows;
    private final RedisPromotions promotions;

    RedisQueueAdmin(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames, RedisPauses pauses,
            RedisRevocations revocations, RedisWorkflows workflows, RedisPromotions promotions) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
        this.pauses = pauses;
        this.revocations = revocations;
        this.workflows = workflows;
        this.promotions = promotions;
    }

    @Override
    public String description() {
        return "redis " + redis.description();
    }

    @Override
    public boolean ping() {
        return redis.ping();
    }

    // ------------------------------------------------------------------------------------------ inspection

    @Override
    public Set<String> queues() {
        return queueNames.all();
    }

    /*
     * KEYS[1..11] the queue's streams   KEYS[12] {q}:d   KEYS[13] {q}:dead   KEYS[14] {q}:paused
     * KEYS[15] {q}:throughput   KEYS[16] {q}:retrying   ARGV[1] group
     * Returns { pending (not yet delivered), active (delivered, not acknowledged), scheduled (every delayed task,
     *           retries included), dead, age in ms of the oldest pending entry or -1, paused 1|0, tasks finished in
     *           the last 60 s, retrying (the delayed ones waiting for a retry: {q}:retrying holds only ids of {q}:d,
     *           as the scripts that add to and remove from {q}:d keep it) }.
     */
    private static final LuaScript STATS = new LuaScript("stats", """
            local now = now_ms()
            local pending, active, oldest = 0, 0, -1
            for k = 1, 11 do
              if redis.call('EXISTS', KEYS[k]) == 1 then
                local len = redis.call('XLEN', KEYS[k])
                local held, last = 0, '0-0'
                for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[k])) do
                  local fields = {}
                  for j = 1, #g, 2 do fields[g[j]] = g[j + 1] end
                  if fields['name'] == ARGV[1] then
                    held = fields['pending']
                    last = fields['last-delivered-id']
                  end
                end
                active = active + held
                pending = pending + (len - held)
                if len - held > 0 then
                  local first = redis.call('XRANGE', KEYS[k], '(' .. last, '+', 'COUNT', 1)[1]
                  if first then
                    local age = now - tonumber(string.match(first[1], '^(%d+)'))
                    if age > oldest then oldest = age end
                  end
                end
              end
            end
            local second, finished = math.floor(now / 1000), 0
            local ring = redis.call('HGETALL', KEYS[15])
            for j = 2, #ring, 2 do
              local s, c = string.match(ring[j], '^(%d+):(%d+)$')
              s, c = read_int(s), read_int(c)
              if s and c and s > second - 60 then finished = finished + c end
            end
            return { pending, active, redis.call('ZCARD', KEYS[12]), redis.call('XLEN', KEYS[13]), oldest,
              redis.call('EXISTS', KEYS[14]), finished, redis.call('ZCARD', KEYS[16]) }
            """, ScriptOutputType.MULTI);

    /** Sends the STATS script of one queue (also the history's lag sample, {@link RedisHistoryWriter}). */
    static CompletableFuture<List<Object>> runStats(RedisConnections redis, RedisKeys keys, String queue) {
        return STATS.run(redis.commands(), keys.streamsAnd(queue, keys.delayed(queue), keys.dead(queue),
                keys.paused(queue), keys.throughput(queue), keys.retrying(queue)), bytes(RedisKeys.GROUP));
    }

    /** The queues' counts: one script per queue (one slot each), all sent before the first reply is awaited. */
    @Override
    public List<QueueStats> stats(Collection<String> queues) {
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String queue : queues) {
            replies.add(runStats(redis, keys, queue));
        }
        List<QueueStats> stats = new ArrayList<>();
        int i = 0;
        for (String queue : queues) {
            List<Object> reply = redis.await(replies.get(i++), "count the tasks of queue '" + queue + "'");
            long oldest = (Long) reply.get(4);
            long delayed = (Long) reply.get(2);
            stats.add(new QueueStats(queue, (Long) reply.get(0), delayed, Math.min(delayed, (Long) reply.get(7)),
                    (Long) reply.get(1), (Long) reply.get(3), oldest < 0 ? null : oldest, (Long) reply.get(5) == 1L,
                    (Long) reply.get(6)));
        }
        return stats;
    }

    /*
     * KEYS[1..11] the queue's streams in claim order   KEYS[12] {q}:d   KEYS[13] {q}:dp
     * ARGV[1] group   ARGV[2] max tasks
     * Changes nothing. Returns up to max of the queue's tasks, 4 values each: state ('R' ready, 'C' claimed: in the
     * group's pending entries, 'D' delayed), task id, body as stored, due epoch ms (delayed) or 0. Stream entries come
     * first, in claim order, then delayed tasks by due time. A key that is not a stream, an entry without an id, a
     * delayed id without payload are left out: workers quarantine those.
     */
    private static final LuaScript WAITING = new LuaScript("waiting", """
            local max, out, n = tonumber(ARGV[2]), {}, 0
            for k = 1, 11 do
              if n >= max then break end
              local entries = redis.pcall('XRANGE', KEYS[k], '-', '+', 'COUNT', max - n)
              if type(entries) == 'table' and not entries.err and #entries > 0 then
                local claimed = {}
                local held = redis.pcall('XPENDING', KEYS[k], ARGV[1], '-', '+', max)
                if type(held) == 'table' and not held.err then
                  for _, p in ipairs(held) do claimed[p[1]] = true end
                end
                for _, e in ipairs(entries) do
                  local id, body = field_value(e[2], 'i'), field_value(e[2], 'm')
                  if id then
                    local state = 'R'
                    if claimed[e[1]] then state = 'C' end
                    out[#out + 1] = state
                    out[#out + 1] = id
                    out[#out + 1] = body or ''
                    out[#out + 1] = 0
                    n = n + 1
                  end
                end
              end
            end
            if n < max and redis.call('TYPE', KEYS[12])['ok'] == 'zset' then
              local delayed = redis.call('ZRANGE', KEYS[12], 0, max - n - 1, 'WITHSCORES')
              for j = 1, #delayed, 2 do
                local v = redis.pcall('HGET', KEYS[13], delayed[j])
                if type(v) == 'string' and #v > 1 then
                  out[#out + 1] = 'D'
                  out[#out + 1] = delayed[j]
                  out[#out + 1] = string.sub(v, 2)
                  out[#out + 1] = math.floor(tonumber(delayed[j + 1]))
                end
              end
            end
            return out
            """, ScriptOutputType.MULTI);

    /**
     * Up to {@code max} of the queue's tasks that have not finished, read without taking them, in one script (one
     * snapshot): ready ones and those claimed by a worker (in claim order), then delayed ones (by due time). For tests
     * and tools; not part of {@link QueueAdmin}.
     */
    public List<WaitingTask> waiting(String queue, int max) {
        List<Object> reply = redis.await(WAITING.run(redis.commands(), keys.streamsAnd(queue, keys.delayed(queue),
                keys.delayedPayloads(queue)), bytes(RedisKeys.GROUP), bytes(Integer.toString(max))),
                "read the tasks of queue '" + queue + "'");
        List<WaitingTask> tasks = new ArrayList<>();
        for (int i = 0; i + 3 < reply.size(); i += 4) {
            WaitingTask.State state = switch (string(reply.get(i))) {
                case "C" -> WaitingTask.State.CLAIMED;
                case "D" -> WaitingTask.State.DELAYED;
                default -> WaitingTask.State.READY;
            };
            long due = (Long) reply.get(i + 3);
            tasks.add(new WaitingTask(string(reply.get(i + 1)), queue, state, (byte[]) reply.get(i + 2),
                    state == WaitingTask.State.DELAYED ? Instant.ofEpochMilli(due) : null));
        }
        return tasks;
    }

    @Override
    public List<WorkerInfo> workers() {
        List<ScoredValue<byte[]>> ids = redis.await(redis.commands().zrangeWithScores(keys.workers(), 0, -1),
                "list workers");
        List<CompletableFuture<Map<byte[], byte[]>>> infos = new ArrayList<>();
        for (ScoredValue<byte[]> id : ids) {
            infos.add(redis.commands().hgetall(keys.worker(string(id.getValue()))).toCompletableFuture());
        }
        List<WorkerInfo> workers = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Map<String, String> info = new HashMap<>();
            redis.await(infos.get(i), "read worker info").forEach((f, v) -> info.put(string(f), string(v)));
            String id = string(ids.get(i).getValue());
            long lastHeartbeat = (long) ids.get(i).getScore();
            String queues = info.getOrDefault("queues", "");
            int concurrency = (int) number(info.get("concurrency"));
            workers.add(new WorkerInfo(id, info.getOrDefault("host", "?"), number(info.get("pid")),
                    queues.isEmpty() ? List.of() : List.of(queues.split(",")), concurrency,
                    // a worker of an earlier version publishes no ceiling: its concurrency is fixed
                    info.containsKey("maxConcurrency") ? (int) number(info.get("maxConcurrency")) : concurrency,
                    (int) number(info.get("active")), number(info.get("processed")), number(info.get("failed")),
                    number(info.get("started")), lastHeartbeat, info.isEmpty() ? WorkerInfo.LOST
                            : info.getOrDefault("state", "?")));
        }
        return workers;
    }

    @Override
    public List<ChordStatus> chords(int max) {
        return workflows.chords(max); // beside the scripts that write chords, which it reads
    }

    // ------------------------------------------------------------------------------------------ dead letters

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

    @Override
    @SuppressWarnings("unchecked")
    public List<DeadLetter> deadLetters(String queue, DeadLetterRead read) {
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
              redis.call('HDEL', KEYS[3], 'error.type', 'error.message', 'error.stack', 'finished', 'next', 'dead')
            end
            return 1
            """, ScriptOutputType.INTEGER);

    @Override
    public boolean requeueDeadLetter(String queue, String deadLetterId, String taskId, byte @Nullable [] body,
            int priority) {
        Long reply = redis.await(REQUEUE.run(redis.commands(), new byte[][] { keys.dead(queue),
                keys.stream(queue, Integer.toString(priority)), keys.record(queue, taskId.isEmpty() ? "-" : taskId) },
                bytes(RedisKeys.GROUP), bytes(deadLetterId), body == null ? new byte[0] : body),
                "requeue dead letter " + deadLetterId);
        return reply == 1L;
    }

    @Override
    public boolean deleteDeadLetter(String queue, String deadLetterId) {
        Long deleted = redis.await(redis.commands().xdel(keys.dead(queue), deadLetterId),
                "delete dead letter " + deadLetterId);
        return deleted == 1L;
    }

    // ------------------------------------------------------------------------------------------ actions

    @Override
    public void pause(String queue) {
        redis.await(redis.commands().set(keys.paused(queue), bytes("1")), "pause queue '" + queue + "'");
        pauses.changed(queue, true);
    }

    @Override
    public void resume(String queue) {
        redis.await(redis.commands().del(keys.paused(queue)), "resume queue '" + queue + "'");
        pauses.changed(queue, false);
    }

    /*
     * KEYS[1..11] the queue's streams   KEYS[12] {q}:d   KEYS[13] {q}:dp   KEYS[14] {q}:retrying
     * ARGV[1] group   ARGV[2] max tasks this call
     * Deletes up to max waiting tasks: those not yet delivered from each stream (read with a purging consumer,
     * acknowledged and deleted; running ones stay), then the delayed ones. Returns how many it deleted.
     */
    private static final LuaScript PURGE = new LuaScript("purge", """
            local max, removed = tonumber(ARGV[2]), 0
            for k = 1, 11 do
              if removed >= max then return removed end
              if redis.call('XLEN', KEYS[k]) > 0 then
                local res = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], 'taskqueue-purge', 'COUNT', max - removed,
                  'STREAMS', KEYS[k], '>')
                if type(res) == 'table' and not res.err then
                  local ids = {}
                  for _, e in ipairs(res[1][2]) do ids[#ids + 1] = e[1] end
                  if #ids > 0 then
                    redis.call('XACK', KEYS[k], ARGV[1], unpack(ids))
                    redis.call('XDEL', KEYS[k], unpack(ids))
                    removed = removed + #ids
                  end
                end
                redis.pcall('XGROUP', 'DELCONSUMER', KEYS[k], ARGV[1], 'taskqueue-purge')
              end
            end
            if removed < max then
              removed = removed + redis.call('ZCARD', KEYS[12])
              redis.call('DEL', KEYS[12], KEYS[13], KEYS[14])
            end
            return removed
            """, ScriptOutputType.INTEGER);

    @Override
    public long purge(String queue) {
        byte[][] k = keys.streamsAnd(queue, keys.delayed(queue), keys.delayedPayloads(queue), keys.retrying(queue));
        long total = 0;
        for (int round = 0; round < 100_000; round++) {
            long removed = redis.await(PURGE.run(redis.commands(), k, bytes(RedisKeys.GROUP), bytes("1000")),
                    "purge queue '" + queue + "'");
            total += removed;
            if (removed < 1000) {
                break;
            }
        }
        return total;
    }

    /**
     * Moves every delayed task of the queue (countdown, eta, retry backoff) to its stream now, whatever its due time:
     * for tests that run what waits without waiting (Sidekiq's {@code drain_all}). Returns how many it made due (moved
     * here, or by a worker's promoter that got to them first). Not for production: a task due in an hour runs now. Not
     * part of {@link QueueAdmin}.
     */
    public int promoteAll(String queue) {
        return promotions.promoteAll(queue);
    }

    @Override
    public boolean revoke(@Nullable String queue, String taskId, String reason, boolean interrupt) {
        RedisRevocations.Where where = revocations.where(queue, taskId, queue != null ? Set.of() : queues());
        return revocations.revoke(where, taskId, reason, interrupt, MessageCodec::uniqueKeyOf,
                MessageCodec::isWorkflowStep);
    }

    /**
     * A stored count or time (of a dead letter, of a worker's info); unreadable (written by something else) counts
     * as 0, and the letter or worker is shown all the same.
     */
    private static long number(@Nullable String value) {
        return RedisValues.number(value, 0);
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
