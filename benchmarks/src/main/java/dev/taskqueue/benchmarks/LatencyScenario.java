package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.worker.Worker;
import org.HdrHistogram.Histogram;

/**
 * Submit-to-start latency under a steady load: an {@link OpenLoop} producer submits probes at a fixed rate to a
 * running worker; each probe's handler records the time from its intended submit to its first line. The queue's
 * backlog (tasks not yet claimed) is sampled while it runs and read when the producer stops.
 */
final class LatencyScenario extends Scenario {

    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);

    private final int rate;
    private final double p50Target;
    private final double p99Target;

    /**
     * @param p50Target the target of the median in ms, or NaN for none
     */
    LatencyScenario(int rate, double p50Target, double p99Target) {
        super("latency-" + rate / 1000 + "k", String.format("submit -> handler start, open loop at %,d tasks/s "
                + "(intended submit time to the handler's first line, HdrHistogram)", rate));
        this.rate = rate;
        this.p50Target = p50Target;
        this.p99Target = p99Target;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return sizes.latency().plus(sizes.latencyWarmup()).plusSeconds(60);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        int threads = Math.max(2, Math.min(8, rate / 1_000));
        List<String> queue = List.of(Engine.QUEUE);
        try (Engine engine = bench.engine()) {
            Worker worker = engine.startWorker(queue);
            // Warm-up at the same rate; its recordings are dropped.
            OpenLoop.Result warm = OpenLoop.run(rate, bench.sizes.latencyWarmup(), threads,
                    intended -> engine.client.submit(BenchTasks::probe, intended), deadline);
            deadline.await(() -> engine.tasks.handled.get() >= warm.submitted(), 5, "finishing the warm-up");
            engine.tasks.reset();

            AtomicLong maxBacklog = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        maxBacklog.accumulateAndGet(engine.pending(queue), Math::max);
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    }
                    catch (InterruptedException ex) {
                        return;
                    }
                    catch (RuntimeException ex) {
                        // a sample missed
                    }
                }
            }, "backlog-sampler");
            sampler.setDaemon(true);
            sampler.start();
            OpenLoop.Result run;
            long backlogAtEnd;
            CpuWatch cpu = bench.cpuWatch();
            try {
                run = OpenLoop.run(rate, bench.sizes.latency(), threads,
                        intended -> engine.client.submit(BenchTasks::probe, intended), deadline);
                backlogAtEnd = engine.pending(queue);
            }
            finally {
                sampler.interrupt();
            }
            long endOfLoad = System.nanoTime();
            deadline.await(() -> engine.tasks.handled.get() >= run.submitted(), 1, "running the last probes");
            double catchUp = (System.nanoTime() - endOfLoad) / 1e6;
            CpuPerTask used = cpu.perTask(run.submitted());
            engine.stopWorker(worker);

            Histogram h = engine.tasks.latency.getIntervalHistogram();
            Figure p50 = Figure.millis("latency.p50", "submit->start p50", ms(h.getValueAtPercentile(50)));
            out.add(Double.isNaN(p50Target) ? p50 : p50.target(Figure.Target.atMost(p50Target)));
            out.add(Figure.millis("latency.p90", "submit->start p90", ms(h.getValueAtPercentile(90))));
            out.add(Figure.millis("latency.p99", "submit->start p99", ms(h.getValueAtPercentile(99)))
                    .target(Figure.Target.atMost(p99Target)));
            out.add(Figure.millis("latency.p999", "submit->start p99.9", ms(h.getValueAtPercentile(99.9))));
            out.add(Figure.millis("latency.max", "submit->start max", ms(h.getMaxValue())));
            out.add(Figure.millis("submit.p99", "submit call p99 (from intended)",
                    ms(run.submitCalls().getValueAtPercentile(99))));
            out.add(Figure.rate("rate", "achieved submit rate", run.submitted() / run.seconds()).cpu(used));
            out.add(Figure.count("backlog.end", "backlog when the load stopped", backlogAtEnd)
                    .target(Figure.Target.atMost(rate / 100.0)));
            out.add(Figure.count("backlog.max", "largest backlog sampled", maxBacklog.get()));
            out.add(Figure.millis("catchup", "last probe ran after the load stopped", catchUp));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
