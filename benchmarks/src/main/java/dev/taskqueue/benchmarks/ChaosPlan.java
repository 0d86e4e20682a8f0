package dev.taskqueue.benchmarks;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How the chaos scenario runs. Each mode has its own ({@link Sizes#chaos()}); {@code --workers},
 * {@code --duration}, {@code --kill-interval}, {@code --rate}, {@code --settle} and {@code --no-hostile} change it.
 *
 * @param workers worker JVMs; each one killed is replaced by a new one
 * @param duration how long the producer submits; the faults happen meanwhile
 * @param killInterval the time between two faults: a SIGKILL of a random worker JVM, or, once in the middle, a
 *        restart of Redis instead
 * @param rate units of work submitted per second (a task, a retried task, a chain or a chord)
 * @param settle how long every acknowledged unit has to finish once the producer stopped; what has not by then
 *        is lost
 * @param hostile whether malformed data is written into the queue during the run ({@link HostileData})
 */
record ChaosPlan(int workers, Duration duration, Duration killInterval, int rate, Duration settle,
        boolean hostile) {

    ChaosPlan {
        if (workers < 2) {
            throw new IllegalArgumentException("--workers must be at least 2: a killed worker's tasks need another "
                    + "one to run on, got " + workers);
        }
        if (killInterval.isZero() || killInterval.isNegative() || duration.compareTo(killInterval) < 0) {
            throw new IllegalArgumentException("--kill-interval (" + killInterval.toMillis() + " ms) must be positive "
                    + "and fit in --duration (" + duration.toMillis() + " ms)");
        }
    }

    /** The times of the faults, from the producer's start: every interval, while the producer runs. */
    int faults() {
        return (int) ((duration.toMillis() - 1) / killInterval.toMillis());
    }

    /** Which fault (from 1) is the Redis restart: the one nearest the middle of the run. */
    int restartAt() {
        return (int) Math.max(1, Math.min(faults(), Math.round(duration.toMillis() / 2.0 / killInterval.toMillis())));
    }

    /**
     * When the hostile data is written, from the producer's start: halfway between the first fault and the second,
     * so that a kill comes before it and the other faults (the Redis restart among them) after it.
     */
    Duration hostileAt() {
        Duration afterFirstFault = killInterval.multipliedBy(3).dividedBy(2);
        Duration half = duration.dividedBy(2);
        return afterFirstFault.compareTo(half) < 0 ? afterFirstFault : half;
    }

    /** This plan with what the command line sets instead (null: unchanged; {@code noHostile}: without it). */
    ChaosPlan with(@Nullable Integer newWorkers, @Nullable Duration newDuration, @Nullable Duration newKillInterval,
            @Nullable Integer newRate, @Nullable Duration newSettle, boolean noHostile) {
        return new ChaosPlan(newWorkers != null ? newWorkers : workers, newDuration != null ? newDuration : duration,
                newKillInterval != null ? newKillInterval : killInterval, newRate != null ? newRate : rate,
                newSettle != null ? newSettle : settle, hostile && !noHostile);
    }
}
