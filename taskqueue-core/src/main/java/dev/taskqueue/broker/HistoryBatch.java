package dev.taskqueue.broker;

import java.time.Duration;
import java.util.List;

/**
 * What a worker adds to the cluster's {@link TaskHistory} in one flush: the counts it gathered since the last one,
 * per minute, queue and task, and the queues whose lag it samples this minute.
 *
 * @param counts the counts, one per minute, queue and task that had any
 * @param lagQueues the queues whose oldest waiting task's age to record as the lag of {@code minute} (empty: none)
 * @param minute the minute of the flush, as epoch milliseconds divided by 60,000
 * @param minutesRetention how long the minute buckets are kept
 * @param hoursRetention how long the hour buckets are kept
 */
public record HistoryBatch(List<Counts> counts, List<String> lagQueues, long minute, Duration minutesRetention,
        Duration hoursRetention) {

    public HistoryBatch {
        counts = List.copyOf(counts);
        lagQueues = List.copyOf(lagQueues);
    }

    /** Where {@link Counts#values()} keeps what: processed, failed, retried, then the run-time buckets. */
    public static final int PROCESSED = 0;

    /** See {@link #PROCESSED}. */
    public static final int FAILED = 1;

    /** See {@link #PROCESSED}. */
    public static final int RETRIED = 2;

    /** See {@link #PROCESSED}: bucket {@code b} of {@link TaskHistory#RUN_TIME_BOUNDS_MILLIS} is at this plus b. */
    public static final int FIRST_RUN_TIME_BUCKET = 3;

    /** The number of values of {@link Counts}. */
    public static final int VALUES = FIRST_RUN_TIME_BUCKET + TaskHistory.RUN_TIME_BUCKETS;

    /**
     * The counts of one task in one queue during one minute.
     *
     * @param minute the minute, as epoch milliseconds divided by 60,000
     * @param values {@link #VALUES} counts, laid out as {@link #PROCESSED} says
     */
    public record Counts(long minute, String queue, String task, long[] values) {
    }
}
