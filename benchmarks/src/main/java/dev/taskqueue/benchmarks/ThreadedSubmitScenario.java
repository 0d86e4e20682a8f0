package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client threads call {@code submit} one task at a time, back to back; no worker runs. A quarter as many go first,
 * unmeasured ({@link Scenario#ownWarmup}).
 */
final class ThreadedSubmitScenario extends Scenario {

    ThreadedSubmitScenario() {
        super("submit-threads", "client threads each call submit(BenchTasks::noop) back to back, one task per call");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(30 + sizes.singleSubmitTasks() / 1_600); // and a quarter as many first
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        int total = bench.sizes.singleSubmitTasks();
        int threads = bench.sizes.submitThreads();
        try (Engine engine = bench.engine()) {
            submitFromThreads(engine, Scenario.ownWarmup(total), threads, deadline);
            CpuWatch cpu = bench.cpuWatch();
            long elapsed = submitFromThreads(engine, total, threads, deadline);
            out.add(Figure.rate("submit.threads.rate", "submit() from " + threads + " threads",
                    total * 1e9 / elapsed).target(Figure.Target.atLeast(25_000)).cpu(cpu.perTask(total)));
        }
    }

    /** {@code threads} client threads submit {@code total} no-op tasks between them; returns the nanoseconds taken. */
    static long submitFromThreads(Engine engine, int total, int threads, Deadline deadline) throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0 && !deadline.passed()) {
                        engine.client.submit(BenchTasks::noop);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
            }
            deadline.check("submitting " + total + " tasks from " + threads + " threads");
            return System.nanoTime() - start;
        }
        finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
