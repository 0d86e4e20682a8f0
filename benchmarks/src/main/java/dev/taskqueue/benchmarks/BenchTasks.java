package dev.taskqueue.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.taskqueue.Task;
import org.HdrHistogram.Recorder;

/**
 * The benchmark's tasks. Each handler's first line reads the clock, so that "start" means the handler's first
 * line; the rest is counting. One instance serves one JVM: the benchmark's, or a {@link WorkerMain} child.
 */
public class BenchTasks {

    /** Handlers that have run. */
    final AtomicLong handled = new AtomicLong();

    /** {@link System#nanoTime()} at the first handler's start since the last {@link #reset()}, 0 before. */
    final AtomicLong firstStartNanos = new AtomicLong();

    /** Nanoseconds from a probe's intended submit time to its handler's first line. */
    final Recorder latency = new Recorder(3);
    /** Of probes: from the start of the submit call to the handler's first line, in nanoseconds. */
    final Recorder sinceSubmit = new Recorder(3);

    /** Nanoseconds from a delayed task's due time to its handler's first line (0 when early). */
    final Recorder lateness = new Recorder(3);

    /** Delayed tasks that started before their due time (by the clock-rounding of Redis, at most 1 ms). */
    final AtomicLong early = new AtomicLong();

    /** For each {@link #hold} key, when its handler first started in this JVM ({@link System#nanoTime()}). */
    final Map<String, Long> holdStarts = new ConcurrentHashMap<>();

    /** For each {@link #hold} key, how many times its handler started in this JVM. */
    final Map<String, Integer> holdRuns = new ConcurrentHashMap<>();

    private final long holdMillis;
    private final Consumer<String> onHold;

    /** Tasks whose {@link #hold} returns at once. */
    BenchTasks() {
        this(0, key -> { });
    }

    /**
     * @param holdMillis how long {@link #hold} keeps its task running (in the worker JVM that is killed)
     * @param onHold told each held key as its handler starts
     */
    BenchTasks(long holdMillis, Consumer<String> onHold) {
        this.holdMillis = holdMillis;
        this.onHold = onHold;
    }

    /** The minimal task: no arguments, no result stored. */
    @Task(name = "bench.noop", ignoreResult = true)
    public void noop() {
        started(System.nanoTime());
    }

    /** An I/O-bound task: it waits {@code millis} (a call to another service), using no CPU meanwhile. */
    @Task(name = "bench.io", ignoreResult = true)
    public void io(int millis) throws InterruptedException {
        started(System.nanoTime());
        Thread.sleep(millis);
    }

    /** A no-op whose result (and states) are stored. */
    @Task(name = "bench.noopStored")
    public int noopStored() {
        started(System.nanoTime());
        return 1;
    }

    /** The celery scenario's task, as its Python twin in {@code celery/benchapp.py}: the result is stored. */
    @Task(name = "bench.add")
    public int add(int x, int y) {
        started(System.nanoTime());
        return x + y;
    }

    /** A chord's header task: its result is stored and reported to the chord. */
    @Task(name = "bench.square")
    public long square(int i) {
        started(System.nanoTime());
        return (long) i * i;
    }

    /** A chord's callback. */
    @Task(name = "bench.sum")
    public long sum(List<Long> values) {
        long total = 0;
        for (Long value : values) {
            total += value;
        }
        return total;
    }

    /** Fails at once, not retried: a dead letter and a failure to list. */
    @Task(name = "bench.fail")
    public void fail(int i) {
        throw new IllegalStateException("bench failure " + i);
    }

    /**
     * Records how long after {@code intendedNanos} (the open-loop schedule's submit time) it started, and how long
     * after {@code submittedNanos} (when its submit call began): the second leaves out the producer's own delay.
     */
    @Task(name = "bench.probe", ignoreResult = true)
    public void probe(long intendedNanos, long submittedNanos) {
        long now = System.nanoTime();
        latency.recordValue(Math.max(0, now - intendedNanos));
        sinceSubmit.recordValue(Math.max(0, now - submittedNanos));
        started(now);
    }

    /** Records how long after {@code dueNanos} it started. */
    @Task(name = "bench.delayed", ignoreResult = true)
    public void delayed(long dueNanos) {
        long now = System.nanoTime();
        if (now < dueNanos) {
            early.incrementAndGet();
        }
        lateness.recordValue(Math.max(0, now - dueNanos));
        started(now);
    }

    /** Marks {@code key} as started here, then holds its slot for the configured time. */
    @Task(name = "bench.hold", ignoreResult = true)
    public void hold(String key) throws InterruptedException {
        long now = System.nanoTime();
        holdStarts.putIfAbsent(key, now);
        holdRuns.merge(key, 1, Integer::sum);
        started(now);
        onHold.accept(key);
        if (holdMillis > 0) {
            Thread.sleep(holdMillis);
        }
    }

    private void started(long now) {
        if (firstStartNanos.get() == 0) {
            firstStartNanos.compareAndSet(0, now);
        }
        handled.incrementAndGet();
    }

    /** Forgets the counts, so that the next measurement starts from zero. */
    void reset() {
        handled.set(0);
        firstStartNanos.set(0);
        latency.reset();
        sinceSubmit.reset();
        lateness.reset();
        early.set(0);
        holdStarts.clear();
        holdRuns.clear();
    }
}
