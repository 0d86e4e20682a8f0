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
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.broker.WorkerInfo;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/** The read side: queue counts, the tasks a queue holds, workers, queue names. Nothing here changes Redis. */
final class RedisInspector {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisInspector(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    Set<String> queues() {
        List<byte[]> names = redis.await(redis.commands().smembers(keys.queues()), "list queues")
                .stream().toList();
        Set<String> queues = new TreeSet<>();
        names.forEach(n -> queues.add(string(n)));
        return queues;
    }

    /*
     * KEYS[1..11] the queue's streams   KEYS[12] {q}:d   KEYS[13] {q}:dead   KEYS[14] {q}:paused
     * KEYS[15] {q}:throughput   ARGV[1] group
     * Returns { pending (not yet delivered), active (delivered, not acknowledged), scheduled, dead,
     *           age in ms of the oldest pending entry or -1, paused 1|0, tasks finished in the last 60 s }.
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
              redis.call('EXISTS', KEYS[14]), finished }
            """, ScriptOutputType.MULTI);

    /** The queues' counts: one script per queue (one slot each), all sent before the first reply is awaited. */
    List<QueueStats> stats(Collection<String> queues) {
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String queue : queues) {
            replies.add(STATS.run(redis.commands(), keys.streamsAnd(queue, keys.delayed(queue), keys.dead(queue),
                    keys.paused(queue), keys.throughput(queue)), bytes(RedisKeys.GROUP)));
        }
        List<QueueStats> stats = new ArrayList<>();
        int i = 0;
        for (String queue : queues) {
            List<Object> reply = redis.await(replies.get(i++), "count the tasks of queue '" + queue + "'");
            long oldest = (Long) reply.get(4);
            stats.add(new QueueStats(queue, (Long) reply.get(0), (Long) reply.get(2), (Long) reply.get(1),
                    (Long) reply.get(3), oldest < 0 ? null : oldest, (Long) reply.get(5) == 1L, (Long) reply.get(6)));
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

    /** Up to {@code max} of the queue's ready, claimed and delayed tasks, read in one script (one snapshot). */
    List<WaitingTask> waiting(String queue, int max) {
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

    List<WorkerInfo> workers() {
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
            workers.add(new WorkerInfo(id, info.getOrDefault("host", "?"), parse(info.get("pid")),
                    queues.isEmpty() ? List.of() : List.of(queues.split(",")), (int) parse(info.get("concurrency")),
                    (int) parse(info.get("active")), parse(info.get("processed")), parse(info.get("failed")),
                    parse(info.get("started")), lastHeartbeat, info.isEmpty() ? WorkerInfo.LOST
                            : info.getOrDefault("state", "?")));
        }
        return workers;
    }

    /** A number of the worker's info; 0 when absent or unreadable (the worker is shown all the same). */
    private static long parse(@Nullable String value) {
        return RedisValues.number(value, 0);
    }
}
