package dev.taskqueue.worker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The background thread of one part of a worker (heartbeat, promoter, janitor, catalog publisher, acker, fetcher),
 * which runs the part's {@link Step} again and again:
 * <ol>
 * <li>{@link #start}: a daemon thread named {@code taskqueue-<part>-<worker id>}, whose end by an error goes to
 * {@link FatalErrors} (the worker halts: it lost that part);</li>
 * <li>each step says how long to wait before the next; {@link #wakeUp} ends a wait early;</li>
 * <li>a step that fails (a {@link RuntimeException}) is reported by the part's {@link Backoff}, and the loop waits
 * the back-off's delay on top of its usual pace (what the last step asked for): a failing step never runs more
 * often than a working one. A part without a back-off handles its failures in its step;</li>
 * <li>{@link #stop}: no step starts any more and a wait ends at once; the step under way may finish, for a bounded
 * time, after which the thread is interrupted;</li>
 * <li>{@link #halt} (after a fatal error): no step starts any more, and the thread is interrupted at once.</li>
 * </ol>
 */
final class WorkerLoop {

    /** One round of a part's work. */
    @FunctionalInterface
    interface Step {

        /** Does one round; returns how long to wait before the next, in ms (0: at once). */
        long run() throws InterruptedException;
    }

    private final String name;
    private final FatalErrors fatal;
    private final @Nullable Backoff backoff;
    private final Step step;
    private final Object pause = new Object();
    private boolean woken;
    private volatile boolean running;
    private volatile @Nullable Thread thread;

    WorkerLoop(String name, FatalErrors fatal, @Nullable Backoff backoff, Step step) {
        this.name = name;
        this.fatal = fatal;
        this.backoff = backoff;
        this.step = step;
    }

    /** Starts the thread: the first step runs at once. */
    void start() {
        start(0);
    }

    /** Starts the thread: the first step runs after {@code firstWaitMillis} (the part did a first round itself). */
    void start(long firstWaitMillis) {
        running = true;
        Thread started = TaskThreads.daemon(name, () -> loop(firstWaitMillis), fatal);
        thread = started;
        started.start();
    }

    /** Whether steps go on: false once the loop is asked to stop or halted. */
    boolean running() {
        return running;
    }

    /** Whether the thread was started (a part may have nothing to do, and never start it). */
    boolean started() {
        return thread != null;
    }

    private void loop(long firstWaitMillis) {
        long pace = firstWaitMillis;
        long wait = firstWaitMillis;
        while (pause(wait)) {
            try {
                pace = step.run();
                wait = pace;
            }
            catch (InterruptedException ex) {
                return; // stopped or halted
            }
            catch (RuntimeException ex) {
                if (backoff == null) {
                    throw ex;
                }
                if (!running) {
                    return; // a call cut short by the stop: nothing to report
                }
                wait = pace + backoff.failure(ex);
            }
        }
    }

    /** Waits up to {@code millis}, unless woken or stopped; whether the loop goes on. */
    private boolean pause(long millis) {
        synchronized (pause) {
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(millis);
                long deadline = System.nanoTime() + left;
                while (!woken && running && left > 0) {
                    TimeUnit.NANOSECONDS.timedWait(pause, left);
                    left = deadline - System.nanoTime();
                }
            }
            catch (InterruptedException ex) {
                return false; // halted, or stopped after the step outlasted its time
            }
            finally {
                woken = false;
            }
        }
        return running;
    }

    /** Ends the wait under way at once, or the next one if a step is under way. */
    void wakeUp() {
        synchronized (pause) {
            woken = true;
            pause.notifyAll();
        }
    }

    /** No step starts any more, and a wait ends at once; the step under way goes on. */
    void requestStop() {
        running = false;
        wakeUp();
    }

    /** Waits up to {@code timeout} for the thread to end; whether it ended (or never started). */
    boolean join(Duration timeout) {
        Thread started = thread;
        if (started == null) {
            return true;
        }
        try {
            started.join(Math.max(1, timeout.toMillis()));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return !started.isAlive();
    }

    /** Stops: no step starts any more, the one under way has up to {@code joinAtMost}, then it is interrupted. */
    void stop(Duration joinAtMost) {
        requestStop();
        if (!join(joinAtMost)) {
            TaskThreads.interrupt(thread);
        }
    }

    /** Stops at once, without waiting for anything (after a fatal error). */
    void halt() {
        running = false;
        TaskThreads.interrupt(thread);
    }
}
