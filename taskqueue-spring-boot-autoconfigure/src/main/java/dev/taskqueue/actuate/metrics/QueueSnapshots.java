package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.WorkerInfo;

/**
 * Every queue's counts, the live workers (in all and per queue) and the chords not completed, read from the broker
 * at most once per {@code ttl} (the queue list, one bulk {@code stats} call, the workers, the oldest chords), in
 * the background: a scrape never waits for Redis but the first (see {@link RefreshedReading}).
 */
final class QueueSnapshots {

    private final QueueAdmin admin;
    private final Supplier<? extends Collection<String>> knownQueues;
    private final int chordsCounted;
    private final long chordStalledAfterMillis;
    private final RefreshedReading<Snapshot> reading;

    /**
     * @param knownQueues queues to read besides those the broker lists
     * @param chordsCounted how many of the oldest chords are read and counted
     * @param chordStalledAfter how long an open chord may go without a header task reporting before it counts as
     *        stalled
     */
    QueueSnapshots(QueueAdmin admin, Duration ttl, Supplier<? extends Collection<String>> knownQueues, int chordsCounted,
            Duration chordStalledAfter) {
        this.admin = admin;
        this.knownQueues = knownQueues;
        this.chordsCounted = chordsCounted;
        this.chordStalledAfterMillis = chordStalledAfter.toMillis();
        this.reading = new RefreshedReading<>("the queue counts", ttl, Snapshot.EMPTY, this::read);
    }

    /** The snapshot; a stale one starts a refresh in the background (the first one is taken right away). */
    Snapshot current() {
        return reading.current();
    }

    private Snapshot read() {
        Set<String> queues = new LinkedHashSet<>(knownQueues.get());
        queues.addAll(admin.queues());
        Map<String, QueueStats> stats = new HashMap<>();
        admin.stats(queues).forEach(queueStats -> stats.put(queueStats.queue(), queueStats));
        long live = 0;
        Map<String, Long> consumers = new HashMap<>();
        for (WorkerInfo worker : admin.workers()) {
            if (!worker.isLost()) {
                live++;
                worker.queues().forEach(queue -> consumers.merge(queue, 1L, Long::sum));
            }
        }
        long now = System.currentTimeMillis();
        ChordCounts chords = ChordCounts.of(admin.chords(chordsCounted), now - chordStalledAfterMillis, now);
        return new Snapshot(Map.copyOf(stats), live, Map.copyOf(consumers), chords);
    }

    /**
     * The counts at one instant.
     *
     * @param stats each queue's counts, by name
     * @param liveWorkers workers that heartbeat
     * @param consumers the workers that heartbeat, by queue they consume (a queue none consumes is absent)
     * @param chords the chords not completed, by state
     */
    record Snapshot(Map<String, QueueStats> stats, long liveWorkers, Map<String, Long> consumers, ChordCounts chords) {

        static final Snapshot EMPTY = new Snapshot(Map.of(), 0, Map.of(), ChordCounts.NONE);
    }

    /**
     * Chords not completed: open and reporting, open with no report since the stall threshold, failed.
     *
     * @param oldestOpenAgeSeconds how long ago the oldest chord that is open (or stalled) was made, 0 when none is
     */
    record ChordCounts(long open, long stalled, long failed, double oldestOpenAgeSeconds) {

        static final ChordCounts NONE = new ChordCounts(0, 0, 0, 0);

        /** Counts {@code chords}, oldest first, as at {@code nowMillis}. */
        static ChordCounts of(List<ChordStatus> chords, long stalledBeforeMillis, long nowMillis) {
            long open = 0;
            long stalled = 0;
            long failed = 0;
            long oldestOpenCreatedAt = nowMillis;
            for (ChordStatus chord : chords) {
                if (chord.failure() != null) {
                    failed++;
                    continue;
                }
                if (chord.updatedAtMillis() < stalledBeforeMillis) {
                    stalled++;
                }
                else {
                    open++;
                }
                oldestOpenCreatedAt = Math.min(oldestOpenCreatedAt, chord.createdAtMillis());
            }
            return new ChordCounts(open, stalled, failed, Math.max(0, nowMillis - oldestOpenCreatedAt) / 1000.0);
        }
    }
}
