package dev.taskqueue.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the worker's slot count between a floor ({@link WorkerSettings#concurrency()}) and a ceiling
 * ({@link WorkerSettings#maxConcurrency()}) by the tasks it sees. At most every {@value #INTERVAL_MILLIS} ms, from
 * what happened since the last decision:
 * <ol>
 * <li><b>halve</b> (down to the floor) when tasks are long: their mean run took more than {@value #LONG_MILLIS} ms,
 * or none ended while some ran (they run longer than the interval). Long tasks gain nothing from larger batches, and
 * whatever they call (a database, an API) keeps the bound it was given;</li>
 * <li><b>halve</b> when no claim has come back full for {@value #QUIET_SECONDS} s: the backlog is gone, and the next
 * burst may be of long tasks;</li>
 * <li><b>double</b> (up to the ceiling) when tasks are short, there is a backlog and the acknowledgements keep up:
 * the mean run took less than {@value #SHORT_MILLIS} ms, every slot ran a task at least once, at least half the
 * claims came back full (more tasks were waiting than slots were free), and fewer than {@value Acker#MAX_BATCH}
 * outcomes wait for the {@link Acker};</li>
 * <li>else keep the count (between {@value #SHORT_MILLIS} and {@value #LONG_MILLIS} ms nothing moves, so that a
 * task's time near a threshold does not make the count swing).</li>
 * </ol>
 * Why short tasks get more slots: the fetcher claims as many tasks as there are free slots, in one round trip, so
 * for a task of well under a millisecond the round trip (0.1 to 1 ms) is the cost, and more slots are larger
 * batches. Growing never hoards: a claim still asks for no more tasks than there are free slots, each of which
 * starts at once, so many workers on one queue each take only what they run.
 * <p>
 * The decision runs on the fetcher's thread, before it takes slots (it holds none then); the tasks' threads only
 * add their run times to two {@link LongAdder}s, without a lock. Resizing the {@link Slots} never interrupts a task:
 * a shrink takes back the slots as tasks end.
 */
final class AdaptiveConcurrency {

    private static final Logger log = LoggerFactory.getLogger(AdaptiveConcurrency.class);

    /** The least time between two decisions: ten per second at most, so that the count does not swing. */
    static final long INTERVAL_MILLIS = 100;

    /** A mean run below this is short: the claim's round trip costs as much as the task. */
    static final long SHORT_MILLIS = 1;

    /** A mean run above this is long: its own work dominates, and it keeps the floor. */
    static final long LONG_MILLIS = 20;

    /** With no full claim for this long, the backlog is gone. */
    static final long QUIET_SECONDS = 5;

    private final String workerId;
    private final int floor;
    private final int ceiling;
    private final Slots slots;
    private final LongSupplier nanoTime;
    private final LongAdder runNanos = new LongAdder();
    private final LongAdder runs = new LongAdder();
    // Below: the fetcher's thread only.
    private long windowStart;
    private long lastBacklog;
    private long countedNanos;
    private long countedRuns;
    private int claims;
    private int fullClaims;

    /**
     * @param nanoTime the clock, as {@link System#nanoTime()}
     */
    AdaptiveConcurrency(String workerId, WorkerSettings settings, Slots slots, LongSupplier nanoTime) {
        this.workerId = workerId;
        this.floor = settings.concurrency();
        this.ceiling = settings.maxConcurrency();
        this.slots = slots;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
        this.lastBacklog = windowStart;
    }

    /** Whether the count can move at all. */
    boolean adaptive() {
        return ceiling > floor;
    }

    /** A task's run ended after {@code nanos}, on its own thread. */
    void finished(long nanos) {
        if (ceiling > floor) {
            runNanos.add(nanos);
            runs.increment();
        }
    }

    /** A claim for {@code asked} free slots brought {@code got} tasks (on the fetcher's thread). */
    void claimed(int asked, int got) {
        claims++;
        if (got > 0 && got == asked) {
            fullClaims++;
        }
    }

    /**
     * Decides, if the interval has passed, and resizes the slots (on the fetcher's thread, holding no slot).
     *
     * @param ackBacklog outcomes waiting for the acker
     */
    void adjust(int ackBacklog) {
        long now = nanoTime.getAsLong();
        if (ceiling == floor || now - windowStart < TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS)) {
            return;
        }
        long totalNanos = runNanos.sum();
        long totalRuns = runs.sum();
        long ended = totalRuns - countedRuns;
        long meanNanos = ended > 0 ? (totalNanos - countedNanos) / ended : 0;
        boolean backlog = fullClaims > 0 && fullClaims * 2 >= claims;
        if (backlog) {
            lastBacklog = now;
        }
        int capacity = slots.capacity();
        int target = target(capacity, ended, meanNanos, backlog, now, ackBacklog);
        if (target != capacity) {
            resize(capacity, target);
            log.debug("Worker {}: concurrency {} -> {} (last {} ms: {} task(s) ended, mean run {} µs, {} of {} "
                    + "claim(s) full, {} outcome(s) waiting)", workerId, capacity, target,
                    TimeUnit.NANOSECONDS.toMillis(now - windowStart), ended, meanNanos / 1_000, fullClaims, claims,
                    ackBacklog);
        }
        windowStart = now;
        countedNanos = totalNanos;
        countedRuns = totalRuns;
        claims = 0;
        fullClaims = 0;
    }

    private int target(int capacity, long ended, long meanNanos, boolean backlog, long now, int ackBacklog) {
        boolean longTasks = ended > 0 ? meanNanos > TimeUnit.MILLISECONDS.toNanos(LONG_MILLIS)
                : slots.inUse() > 0;
        boolean quiet = now - lastBacklog >= TimeUnit.SECONDS.toNanos(QUIET_SECONDS);
        if (longTasks || quiet) {
            return Math.max(floor, capacity / 2);
        }
        boolean shortTasks = ended >= capacity && meanNanos < TimeUnit.MILLISECONDS.toNanos(SHORT_MILLIS);
        if (shortTasks && backlog && ackBacklog < Acker.MAX_BATCH) {
            return (int) Math.min(ceiling, capacity * 2L);
        }
        return capacity;
    }

    private void resize(int from, int to) {
        if (to > from) {
            slots.grow(to - from);
        }
        else {
            slots.shrink(from - to);
        }
    }

    /** The slots now. */
    int current() {
        return slots.capacity();
    }
}
