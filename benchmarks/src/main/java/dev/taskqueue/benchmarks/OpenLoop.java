package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop producer: task {@code i} is due at {@code start + i / rate}, whatever happened to the ones before
 * it. Several threads share the schedule, so that a slow submit does not delay the next ones; each submit is
 * given its intended time, and whatever is measured from it counts the time the task waited for its turn
 * (no coordinated omission).
 */
final class OpenLoop {

    /**
     * What a run did.
     *
     * @param submitted tasks submitted
     * @param seconds from the first intended time to the last submit's return
     * @param submitCalls from each intended time to the return of its submit call, in nanoseconds
     * @param lateness from each intended time to the start of its submit call, in nanoseconds: the producer's own
     *        delay (a thread woken late, or every thread busy in a slow submit), apart from the submit's
     */
    record Result(long submitted, double seconds, Histogram submitCalls, Histogram lateness) {
    }

    private OpenLoop() {
    }

    /**
     * Calls {@code submit} with each intended time ({@link System#nanoTime()}), {@code rate} times per second for
     * {@code duration}, from {@code threads} threads.
     */
    static Result run(int rate, Duration duration, int threads, LongConsumer submit, Deadline deadline)
            throws InterruptedException {
        long total = Math.max(1, rate * duration.toNanos() / 1_000_000_000L);
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime() + 1_000_000; // a millisecond for the threads to start
        AtomicLong next = new AtomicLong();
        AtomicLong lastReturn = new AtomicLong(start);
        Recorder submitCalls = new Recorder(3);
        Recorder lateness = new Recorder(3);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread producer = new Thread(() -> {
                long i;
                while ((i = next.getAndIncrement()) < total && !deadline.passed()) {
                    long intended = start + i * period;
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    lateness.recordValue(Math.max(0, System.nanoTime() - intended));
                    submit.accept(intended);
                    long now = System.nanoTime();
                    submitCalls.recordValue(now - intended);
                    lastReturn.accumulateAndGet(now, Math::max);
                }
            }, "open-loop-producer-" + t);
            producer.setDaemon(true);
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join(Math.max(1, deadline.remainingMillis()));
        }
        deadline.check("submitting " + total + " tasks at " + rate + "/s");
        Histogram calls = submitCalls.getIntervalHistogram();
        return new Result(calls.getTotalCount(), (lastReturn.get() - start) / 1e9, calls,
                lateness.getIntervalHistogram());
    }
}
