package dev.taskqueue.broker;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** Counts of finished tasks per minute and per hour, cluster-wide, for charts. */
public interface TaskHistory {

    enum Resolution { MINUTE, HOUR }

    long[] RUN_TIME_BOUNDS_MILLIS = {10, 100, 1000, 10_000, 60_000};   // buckets: <=10ms .. >60s (6 buckets)

    record Point(Instant start, long processed, long failed, long retried, long[] runTimeBuckets,
                 @Nullable Long lagMillis) {}

    /** Points from..to (inclusive of from's bucket), one per minute or hour, zero-filled; queue/task null = all. */
    List<Point> read(Resolution resolution, Instant from, Instant to, @Nullable String queue, @Nullable String task);
}
