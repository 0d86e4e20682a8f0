package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The machine's own latency floor, measured in the same sitting as a latency scenario: its open loop, at its rate,
 * for as long, whose "submit" only hands the intended time to one waiting thread, which records the time from the
 * intended time to its own wake-up. No engine and no Redis: two wake-ups (the producer's from its timed park, then
 * the waiting thread's), where a task takes six (the producer, Lettuce's event loop, Redis, the event loop again for
 * the blocking read's reply, the worker's fetcher, the task's thread). What a tail of the scenario owes to this
 * machine's scheduling of woken threads, rather than to the engine, is read beside it, the way a rate is read beside
 * {@code redis-benchmark}'s.
 */
final class WakeUpFloor {

    /** What stands for "no more hand-offs". */
    private static final long END = Long.MIN_VALUE;

    private WakeUpFloor() {
    }

    /** Intended time to the waiting thread's wake-up, in nanoseconds, for {@code rate} hand-offs a second. */
    static Histogram measure(int rate, Duration duration, int threads, Deadline deadline) throws InterruptedException {
        BlockingQueue<Long> handOffs = new LinkedBlockingQueue<>();
        Recorder woken = new Recorder(3);
        Thread waiter = new Thread(() -> {
            try {
                Long intended;
                while ((intended = handOffs.poll(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS))
                        != null && intended != END) {
                    woken.recordValue(Math.max(0, System.nanoTime() - intended));
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "wake-up-floor-waiter");
        waiter.setDaemon(true);
        waiter.start();
        try {
            OpenLoop.run(rate, duration, threads, handOffs::add, deadline);
        }
        finally {
            handOffs.add(END);
            waiter.join(Math.max(1, deadline.remainingMillis()));
        }
        deadline.check("measuring the machine's wake-up floor");
        return woken.getIntervalHistogram();
    }
}
