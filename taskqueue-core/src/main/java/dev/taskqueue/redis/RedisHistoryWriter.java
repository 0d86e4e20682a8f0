package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.TaskHistory;
import io.lettuce.core.ScriptOutputType;

/**
 * Adds a worker's counts to the task history ({@link RedisTaskHistory} reads it): each minute of the batch goes to its
 * minute bucket and to its hour bucket, so that no roll-up job is needed; all buckets are in the slot {@code {p}}, and
 * one flush is one pipelined round trip (one script per bucket), plus one for the lag once a minute.
 */
final class RedisHistoryWriter {

    /**
     * Task names counted apart per bucket; the rest count under {@value #OTHER}. A bucket then holds at most about
     * (500 + queues) x 10 fields, however many names a buggy producer invents.
     */
    static final int MAX_TASK_NAMES = 500;

    /** Where the task names past {@link #MAX_TASK_NAMES} are counted. */
    static final String OTHER = "other";

    /** The names of the values of {@link HistoryBatch.Counts}, as the fields of a bucket start. */
    static final List<String> METRICS = metrics();

    /** Between the parts of a field: a character no queue or task name holds. */
    static final String SEPARATOR = "\u001f";

    private static List<String> metrics() {
        List<String> names = new ArrayList<>(List.of("p", "f", "r"));
        for (int b = 0; b < TaskHistory.RUN_TIME_BUCKETS; b++) {
            names.add("b" + b);
        }
        return List.copyOf(names);
    }

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisHistoryWriter(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** The field of a metric for a scope: all queues and tasks, a queue, a task, or a task in a queue. */
    static String field(String metric, String queue, String task) {
        String scope = queue == null || queue.isEmpty() ? (task == null || task.isEmpty() ? "*" : "t" + SEPARATOR
                + task) : task == null || task.isEmpty() ? "q" + SEPARATOR + queue
                        : "qt" + SEPARATOR + queue + SEPARATOR + task;
        return metric + "|" + scope;
    }

    /*
     * KEYS[1] {p}:h:<m|h>:<bucket>   KEYS[2] its names set
     * ARGV[1] ttl ms   ARGV[2] most task names   ARGV[3] the name of the rest   ARGV[4] separator
     * ARGV[5..] per queue and task: queue, task, then the counts of METRICS; then '--', then queue, lag ms pairs
     * Adds each count to its four scopes (all, queue, task, queue+task); keeps each lag if it is the largest.
     * Returns the number of counts added.
     */
    private static final LuaScript ADD = new LuaScript("history-add", """
            local ttl, most, other, sep = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
            local METRICS = { %s }
            local i, added = 5, 0
            while i <= #ARGV and ARGV[i] ~= '--' do
              local queue, task = ARGV[i], ARGV[i + 1]
              if redis.call('SISMEMBER', KEYS[2], task) == 0 then
                if redis.call('SCARD', KEYS[2]) < most then redis.call('SADD', KEYS[2], task) else task = other end
              end
              for m = 1, #METRICS do
                local n = tonumber(ARGV[i + 1 + m])
                if n and n ~= 0 then
                  local name = METRICS[m] .. '|'
                  redis.call('HINCRBY', KEYS[1], name .. '*', n)
                  redis.call('HINCRBY', KEYS[1], name .. 'q' .. sep .. queue, n)
                  redis.call('HINCRBY', KEYS[1], name .. 't' .. sep .. task, n)
                  redis.call('HINCRBY', KEYS[1], name .. 'qt' .. sep .. queue .. sep .. task, n)
                  added = added + 1
                end
              end
              i = i + 2 + #METRICS
            end
            for j = i + 1, #ARGV - 1, 2 do
              local lag = tonumber(ARGV[j + 1])
              for _, f in ipairs({ 'lag|*', 'lag|q' .. sep .. ARGV[j] }) do
                local current = tonumber(redis.call('HGET', KEYS[1], f))
                if not current or lag > current then redis.call('HSET', KEYS[1], f, lag) end
              end
            end
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('PEXPIRE', KEYS[2], ttl)
            return added
            """.formatted(String.join(", ", METRICS.stream().map(m -> "'" + m + "'").toList())),
            ScriptOutputType.INTEGER);

    void record(HistoryBatch batch) {
        Map<String, Long> lags = sampleLag(batch.lagQueues());
        Map<Long, List<HistoryBatch.Counts>> byMinute = new LinkedHashMap<>();
        for (HistoryBatch.Counts c : batch.counts()) {
            byMinute.computeIfAbsent(c.minute(), m -> new ArrayList<>()).add(c);
        }
        if (!lags.isEmpty()) {
            byMinute.putIfAbsent(batch.minute(), List.of());
        }
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (Map.Entry<Long, List<HistoryBatch.Counts>> minute : byMinute.entrySet()) {
            Map<String, Long> minuteLags = minute.getKey() == batch.minute() ? lags : Map.of();
            replies.add(add("m", minute.getKey(), minute.getValue(), minuteLags,
                    batch.minutesRetention().toMillis()));
            replies.add(add("h", minute.getKey() / 60, minute.getValue(), minuteLags,
                    batch.hoursRetention().toMillis()));
        }
        for (CompletableFuture<Long> reply : replies) {
            redis.await(reply, "add to the task history");
        }
    }

    private CompletableFuture<Long> add(String resolution, long bucket, List<HistoryBatch.Counts> counts,
            Map<String, Long> lags, long ttlMillis) {
        List<byte[]> args = new ArrayList<>(List.of(bytes(Long.toString(ttlMillis)),
                bytes(Integer.toString(MAX_TASK_NAMES)), bytes(OTHER), bytes(SEPARATOR)));
        for (HistoryBatch.Counts c : counts) {
            args.add(bytes(c.queue()));
            args.add(bytes(c.task()));
            for (long value : c.values()) {
                args.add(bytes(Long.toString(value)));
            }
        }
        args.add(bytes("--"));
        lags.forEach((queue, lag) -> {
            args.add(bytes(queue));
            args.add(bytes(Long.toString(lag)));
        });
        return ADD.run(redis.commands(), new byte[][] { keys.history(resolution, bucket),
                keys.historyNames(resolution, bucket) }, args.toArray(byte[][]::new));
    }

    /** The age of each queue's oldest waiting task (0 when none waits), read as the queue counts read it. */
    private Map<String, Long> sampleLag(List<String> queues) {
        Map<String, CompletableFuture<List<Object>>> replies = new LinkedHashMap<>();
        queues.forEach(q -> replies.put(q, RedisQueueAdmin.runStats(redis, keys, q)));
        Map<String, Long> lags = new LinkedHashMap<>();
        replies.forEach((queue, reply) -> lags.put(queue, Math.max(0, (Long) redis.await(reply,
                "sample the lag of queue '" + queue + "'").get(4))));
        return lags;
    }
}
