package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds what this worker runs to the cluster's task history ({@link TaskHistory}) at a cost per task near zero:
 * <ol>
 * <li>{@link #record} counts an outcome in memory: a few atomic increments on the counters of its minute, queue and
 * task (found without a lock once they exist); no call to Redis;</li>
 * <li>every {@link WorkerSettings#HISTORY_FLUSH_INTERVAL}, its loop takes the counts (each counter read and zeroed
 * atomically, so that an increment meanwhile counts in the next flush) and adds them in one round trip
 * ({@link dev.taskqueue.broker.Broker#recordHistory}); once a minute the flush also samples the lag of the
 * worker's queues;</li>
 * <li>a flush that fails puts its counts back, to go with the next one;</li>
 * <li>{@link #stop} flushes what is left.</li>
 * </ol>
 */
final class HistoryRecorder {

    private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);

    private record Key(long minute, String queue, String task) {
    }

    private final WorkerContext worker;
    private final Map<Key, AtomicLongArray> counts = new ConcurrentHashMap<>();
    private final WorkerLoop loop;
    private long lagSampledMinute = -1;

    HistoryRecorder(WorkerContext worker) {
        this.worker = worker;
        this.loop = worker.loop("history", worker.backoff("add to the task history of worker " + worker.workerId(),
                log), this::flushStep);
    }

    /** Counts a run's outcome (null: the task went back to wait for a rate slot or a permit, and is not counted). */
    void record(String queue, Outcome outcome) {
        long minute = worker.clock().millis() / 60_000;
        String task = outcome.taskName() == null ? "unknown" : outcome.taskName();
        Key key = new Key(minute, queue, task);
        AtomicLongArray values = counts.get(key);
        if (values == null) {
            values = counts.computeIfAbsent(key, k -> new AtomicLongArray(HistoryBatch.VALUES));
        }
        values.incrementAndGet(HistoryBatch.PROCESSED);
        switch (outcome.kind()) {
            case FAILED, QUARANTINED -> values.incrementAndGet(HistoryBatch.FAILED);
            case RETRY -> values.incrementAndGet(HistoryBatch.RETRIED);
            default -> {
            }
        }
        if (outcome.ranForMillis() >= 0) {
            values.incrementAndGet(HistoryBatch.FIRST_RUN_TIME_BUCKET + TaskHistory.runTimeBucket(
                    outcome.ranForMillis()));
        }
    }

    void start() {
        loop.start(WorkerSettings.HISTORY_FLUSH_INTERVAL.toMillis());
    }

    private long flushStep() {
        flush();
        return WorkerSettings.HISTORY_FLUSH_INTERVAL.toMillis();
    }

    /** Adds the counts gathered so far to the history; on failure they are kept for the next flush. */
    void flush() {
        long minute = worker.clock().millis() / 60_000;
        List<HistoryBatch.Counts> batch = new ArrayList<>();
        for (Map.Entry<Key, AtomicLongArray> entry : counts.entrySet()) {
            Key key = entry.getKey();
            AtomicLongArray values = entry.getValue();
            if (key.minute() < minute) {
                counts.remove(key); // an increment racing with this removal is rare, and only a count lost
            }
            long[] taken = new long[HistoryBatch.VALUES];
            boolean any = false;
            for (int i = 0; i < taken.length; i++) {
                taken[i] = values.getAndSet(i, 0);
                any |= taken[i] != 0;
            }
            if (any) {
                batch.add(new HistoryBatch.Counts(key.minute(), key.queue(), key.task(), taken));
            }
        }
        boolean sampleLag = minute != lagSampledMinute;
        if (batch.isEmpty() && !sampleLag) {
            return;
        }
        WorkerSettings settings = worker.settings();
        try {
            worker.broker().recordHistory(new HistoryBatch(batch, sampleLag ? settings.queueNames() : List.of(),
                    minute, settings.historyMinutesRetention(), settings.historyHoursRetention()));
            lagSampledMinute = minute;
        }
        catch (RuntimeException ex) {
            batch.forEach(this::putBack);
            throw ex;
        }
    }

    private void putBack(HistoryBatch.Counts c) {
        AtomicLongArray values = counts.computeIfAbsent(new Key(c.minute(), c.queue(), c.task()),
                k -> new AtomicLongArray(HistoryBatch.VALUES));
        for (int i = 0; i < HistoryBatch.VALUES; i++) {
            values.addAndGet(i, c.values()[i]);
        }
    }

    /** Beats no more, at once (after a fatal error): the counts not flushed are lost. */
    void halt() {
        loop.halt();
    }

    /** Stops the loop, then flushes what is left (once: a stopping worker does not wait for Redis). */
    void stop() {
        loop.stop(java.time.Duration.ofSeconds(2));
        try {
            flush();
        }
        catch (RuntimeException ex) {
            log.debug("Could not add the last counts of worker {} to the task history", worker.workerId(), ex);
        }
    }
}
