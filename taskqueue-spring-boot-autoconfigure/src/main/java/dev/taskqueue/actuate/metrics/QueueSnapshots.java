package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every queue's counts, the number of live workers and the chords not completed, read from the broker at most once
 * per {@code ttl} (the queue list, one bulk {@code stats} call, the workers, the oldest chords).
 * <p>
 * A scrape never waits for Redis once the first reading exists: a scrape that finds the snapshot stale starts a
 * refresh on a background thread and reads the previous snapshot meanwhile. Otherwise, with Redis down, every scrape
 * would wait up to the command timeout, the scrape would time out, and the application's other metrics would be lost
 * just when they matter. The first reading is taken on the scrape's thread so that the first scrape shows real
 * values. When the broker cannot be reached, the last values stay.
 */
final class QueueSnapshots {

    private static final Logger log = LoggerFactory.getLogger(QueueSnapshots.class);

    private final QueueAdmin admin;
    private final long ttlNanos;
    private final Supplier<? extends Collection<String>> knownQueues;
    private final int chordsCounted;
    private final long chordStalledAfterMillis;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), 0, ChordCounts.NONE, Long.MIN_VALUE);

    /**
     * @param knownQueues queues to read besides those the broker lists
     * @param chordsCounted how many of the oldest chords are read and counted
     * @param chordStalledAfter how long an open chord may go without a header task reporting before it counts as
     *        stalled
     */
    QueueSnapshots(QueueAdmin admin, Duration ttl, Supplier<? extends Collection<String>> knownQueues, int chordsCounted,
            Duration chordStalledAfter) {
        this.admin = admin;
        this.ttlNanos = ttl.toNanos();
        this.knownQueues = knownQueues;
        this.chordsCounted = chordsCounted;
        this.chordStalledAfterMillis = chordStalledAfter.toMillis();
    }

    /** The snapshot; a stale one starts a refresh in the background (the first one is taken right away). */
    Snapshot current() {
        Snapshot current = snapshot;
        if (!current.staleAt(System.nanoTime(), ttlNanos) || !refreshing.compareAndSet(false, true)) {
            return current;
        }
        if (current.takenAtNanos() == Long.MIN_VALUE) {
            refreshNow();
            return snapshot;
        }
        Thread refresher = new Thread(this::refreshNow, "taskqueue-metrics-refresh");
        refresher.setDaemon(true);
        try {
            refresher.start();
        }
        catch (RuntimeException | Error ex) {
            refreshing.set(false);
            throw ex;
        }
        return current;
    }

    /** Takes a reading; called by the one thread that set {@code refreshing}. */
    private void refreshNow() {
        try {
            snapshot = refresh(snapshot);
        }
        finally {
            refreshing.set(false);
        }
    }

    private Snapshot refresh(Snapshot previous) {
        try {
            Set<String> queues = new LinkedHashSet<>(knownQueues.get());
            queues.addAll(admin.queues());
            Map<String, QueueStats> stats = new HashMap<>();
            admin.stats(queues).forEach(queueStats -> stats.put(queueStats.queue(), queueStats));
            long live = admin.workers().stream().filter(worker -> !worker.isLost()).count();
            ChordCounts chords = ChordCounts.of(admin.chords(chordsCounted),
                    System.currentTimeMillis() - chordStalledAfterMillis);
            return new Snapshot(Map.copyOf(stats), live, chords, System.nanoTime());
        }
        catch (RuntimeException ex) {
            log.debug("Could not read the queue counts; the gauges keep their last values", ex);
            return new Snapshot(previous.stats, previous.liveWorkers, previous.chords, System.nanoTime());
        }
    }

    /**
     * The counts at one instant.
     *
     * @param stats each queue's counts, by name
     * @param liveWorkers workers that heartbeat
     * @param chords the chords not completed, by state
     * @param takenAtNanos when it was read ({@code Long.MIN_VALUE}: never)
     */
    record Snapshot(Map<String, QueueStats> stats, long liveWorkers, ChordCounts chords, long takenAtNanos) {

        boolean staleAt(long nowNanos, long maxAgeNanos) {
            return takenAtNanos == Long.MIN_VALUE || nowNanos - takenAtNanos >= maxAgeNanos;
        }
    }

    /** Chords not completed: open and reporting, open with no report since the stall threshold, failed. */
    record ChordCounts(long open, long stalled, long failed) {

        static final ChordCounts NONE = new ChordCounts(0, 0, 0);

        static ChordCounts of(List<ChordStatus> chords, long stalledBeforeMillis) {
            long open = 0;
            long stalled = 0;
            long failed = 0;
            for (ChordStatus chord : chords) {
                if (chord.failure() != null) {
                    failed++;
                }
                else if (chord.updatedAtMillis() < stalledBeforeMillis) {
                    stalled++;
                }
                else {
                    open++;
                }
            }
            return new ChordCounts(open, stalled, failed);
        }
    }
}
