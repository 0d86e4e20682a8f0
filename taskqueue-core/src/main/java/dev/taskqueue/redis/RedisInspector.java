package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.WorkerInfo;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/** The read side: queue counts, workers, queue names. Nothing here changes Redis. */
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
