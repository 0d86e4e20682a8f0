package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.TaskHistory;
import io.lettuce.core.KeyValue;
import org.jspecify.annotations.Nullable;

/**
 * The task history on Redis, written by every worker ({@link RedisHistoryWriter}, through
 * {@link RedisBroker#recordHistory}) and read here, one {@code HMGET} per point, pipelined:
 * <pre>
 * HINCRBY {taskqueue}:h:m:28873333 "p|*" 12            tasks processed in that minute, all queues and tasks
 * HINCRBY {taskqueue}:h:m:28873333 "f|q\x1femails" 1   failed in queue emails ("q" queue, "t" task, "qt" both)
 * HINCRBY {taskqueue}:h:h:481222 "b2|t\x1fsend" 7      runs of task send that took 100 ms to 1 s, that hour
 * HSET    {taskqueue}:h:m:28873333 "lag|q\x1femails" 5400   the largest oldest-waiting age sampled that minute
 * SADD    {taskqueue}:h:m:28873333:names send          the task names counted apart (at most 500; the rest: other)
 * PEXPIRE each of them with its retention (minutes: 48 h, hours: 30 days by default)
 * HMGET   {taskqueue}:h:m:28873333 p|* f|* r|* b0|* .. b5|* lag|*
 * </pre>
 * Minutes and hours are counted apart at every flush, so that the hours need no roll-up job and outlive the
 * minutes. A worker counts in its memory and flushes every few seconds (see {@code HistoryRecorder}), so the cost
 * per task is a few atomic increments.
 */
public final class RedisTaskHistory implements TaskHistory {

    /** The most points one read returns: a week of hours is 168, a day of minutes 1,440. */
    public static final int MAX_POINTS = 10_000;

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisTaskHistory(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public List<Point> read(Resolution resolution, Instant from, Instant to, @Nullable String queue,
            @Nullable String task) {
        long step = resolution.millis();
        long first = Math.floorDiv(from.toEpochMilli(), step);
        long last = Math.max(first, Math.min(Math.floorDiv(to.toEpochMilli(), step), first + MAX_POINTS - 1));
        String name = resolution == Resolution.MINUTE ? "m" : "h";
        List<byte[]> fieldList = new ArrayList<>();
        for (String metric : RedisHistoryWriter.METRICS) {
            fieldList.add(bytes(RedisHistoryWriter.field(metric, queue, task)));
        }
        boolean lag = task == null || task.isEmpty();
        if (lag) {
            fieldList.add(bytes(RedisHistoryWriter.field("lag", queue, null)));
        }
        byte[][] fields = fieldList.toArray(byte[][]::new);
        List<CompletableFuture<List<KeyValue<byte[], byte[]>>>> replies = new ArrayList<>();
        for (long bucket = first; bucket <= last; bucket++) {
            replies.add(redis.commands().hmget(keys.history(name, bucket), fields).toCompletableFuture());
        }
        List<Point> points = new ArrayList<>(replies.size());
        for (int i = 0; i < replies.size(); i++) {
            List<KeyValue<byte[], byte[]>> values = redis.await(replies.get(i), "read the task history");
            long[] counts = new long[HistoryBatch.VALUES];
            for (int v = 0; v < counts.length; v++) {
                counts[v] = count(values.get(v));
            }
            long[] buckets = new long[RUN_TIME_BUCKETS];
            System.arraycopy(counts, HistoryBatch.FIRST_RUN_TIME_BUCKET, buckets, 0, RUN_TIME_BUCKETS);
            Long lagMillis = lag && values.get(counts.length).hasValue() ? count(values.get(counts.length)) : null;
            points.add(new Point(Instant.ofEpochMilli((first + i) * step), counts[HistoryBatch.PROCESSED],
                    counts[HistoryBatch.FAILED], counts[HistoryBatch.RETRIED], buckets, lagMillis));
        }
        return points;
    }

    /** A stored count; one that is not a number (another writer) reads as 0. */
    private static long count(KeyValue<byte[], byte[]> value) {
        return value.hasValue() ? Math.max(0, RedisValues.number(string(value.getValue()), 0)) : 0;
    }
}
