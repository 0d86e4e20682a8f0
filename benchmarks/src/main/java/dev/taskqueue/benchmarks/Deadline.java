package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The end of a scenario's time budget. Every wait in a scenario goes through one, so that a scenario that stalls
 * is reported as "did not finish" instead of hanging the run.
 */
final class Deadline {

    private final long endNanos;

    private Deadline(long endNanos) {
        this.endNanos = endNanos;
    }

    static Deadline in(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos());
    }

    long remainingMillis() {
        return Math.max(0, (endNanos - System.nanoTime()) / 1_000_000);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** Throws {@link DidNotFinish} when the budget is spent. */
    void check(String doing) {
        if (passed()) {
            throw new DidNotFinish(doing);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new DidNotFinish(doing + " (interrupted)");
        }
    }

    /** Polls {@code done} every {@code pollMillis} until it holds; throws {@link DidNotFinish} at the deadline. */
    void await(BooleanSupplier done, long pollMillis, String doing) {
        while (!done.getAsBoolean()) {
            check(doing);
            sleep(pollMillis);
        }
    }

    /** Sleeps, or less if the deadline comes first. */
    void sleepAtMost(Duration duration) {
        sleep(Math.min(duration.toMillis(), remainingMillis()));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DidNotFinish("interrupted");
        }
    }

    /** A scenario ran out of time (or was interrupted) while {@code doing} something. */
    static final class DidNotFinish extends RuntimeException {

        private static final long serialVersionUID = 1L;

        DidNotFinish(String doing) {
            super("did not finish: " + doing);
        }
    }
}
