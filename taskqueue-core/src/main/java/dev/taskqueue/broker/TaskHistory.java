package dev.taskqueue.broker;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Counts of finished tasks over time, kept by the workers in the store for the whole cluster (so that charts need
 * no Prometheus and survive restarts): per minute and per hour, per queue and per task, how many tasks were
 * processed, failed and retried, how long they ran (in buckets), and each minute's largest queue lag.
 */
public interface TaskHistory {

    /** The width of a point. */
    enum Resolution {
        MINUTE(60_000), HOUR(3_600_000);

        private final long millis;

        Resolution(long millis) {
            this.millis = millis;
        }

        /** The width in milliseconds. */
        public long millis() {
            return millis;
        }
    }

    /**
     * The upper bounds of the run-time buckets, in ms: a run of up to 10 ms counts in bucket 0, up to 100 ms in 1,
     * and so on; one longer than 60 s in bucket 5 (6 buckets).
     */
    long[] RUN_TIME_BOUNDS_MILLIS = { 10, 100, 1000, 10_000, 60_000 };

    /** The number of run-time buckets: one per bound, and one for longer runs. */
    int RUN_TIME_BUCKETS = RUN_TIME_BOUNDS_MILLIS.length + 1;

    /** The bucket of a run time. */
    static int runTimeBucket(long millis) {
        for (int b = 0; b < RUN_TIME_BOUNDS_MILLIS.length; b++) {
            if (millis <= RUN_TIME_BOUNDS_MILLIS[b]) {
                return b;
            }
        }
        return RUN_TIME_BOUNDS_MILLIS.length;
    }

    /**
     * The counts of one minute or hour.
     *
     * @param start when it starts
     * @param processed tasks finished (succeeded, failed for good, retried or revoked)
     * @param failed of those, the ones that failed for good (or were quarantined)
     * @param retried of those, the failed attempts that run again
     * @param runTimeBuckets how many runs lasted how long: {@link #RUN_TIME_BUCKETS} counts, see
     *        {@link #RUN_TIME_BOUNDS_MILLIS}
     * @param lagMillis the largest age of the oldest waiting task seen (queue lag), null when none was sampled
     */
    record Point(Instant start, long processed, long failed, long retried, long[] runTimeBuckets,
            @Nullable Long lagMillis) {
    }

    /**
     * Points from..to (inclusive of from's bucket), one per minute or hour, zero-filled; queue/task null = all.
     * Points older than the retention are zero.
     */
    List<Point> read(Resolution resolution, Instant from, Instant to, @Nullable String queue, @Nullable String task);
}
