package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import dev.taskqueue.worker.Worker;
import org.HdrHistogram.Histogram;

/**
 * Submit-to-start latency under a steady load: an {@link OpenLoop} producer submits probes at a fixed rate to a
 * running worker; each probe's handler records the time from its intended submit to its first line. The queue's
 * backlog (tasks not yet claimed) is sampled while it runs and read when the producer stops. To show where a tail
 * goes, the producer's own delay (intended time to the start of the submit call) and the rest (the start of the
 * submit call to the handler's first line) are reported apart, and so is the machine's own floor at the same rate
 * ({@link WakeUpFloor}), measured after the engine closed.
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
        return sizes.latency().multipliedBy(2).plus(sizes.latencyWarmup()).plusSeconds(60);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        // Producer threads enough that the producer is not what saturates: a submit takes up to about 1 ms under the
        // load (8 threads at 10,000/s were busy all the time, and the open loop measured their own queueing).
        int threads = Math.max(2, Math.min(32, rate / 300));
        List<String> queue = List.of(Engine.QUEUE);
        try (Engine engine = bench.engine()) {
            Worker worker = engine.startWorker(queue);
            // Warm-up, its recordings dropped: first at three times the rate (at most 10,000/s, where most tasks still
            // find the queue empty and take the same path as the measured ones) for long enough that the JIT has
            // compiled that path (after a warm-up of 5 s at 1,000/s the C2 compiler still used a third of a core, and
            // code was deoptimized, in the measured window: a tail of the harness, not of the engine), then at the
            // measured rate for a second.
            int warmRate = Math.max(rate, Math.min(3 * rate, 10_000));
            long warmed = OpenLoop.run(warmRate, bench.sizes.latencyWarmup(), threads, probe(engine), deadline)
                    .submitted()
                    + OpenLoop.run(rate, Duration.ofSeconds(1), threads, probe(engine), deadline).submitted();
            deadline.await(() -> engine.tasks.handled.get() >= warmed, 5, "finishing the warm-up");
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
                run = OpenLoop.run(rate, bench.sizes.latency(), threads, probe(engine), deadline);
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
            // Where the tail goes: the producer's delay before the call, then the call and the worker's part.
            out.add(Figure.millis("submit.p99", "submit call p99 (from intended)",
                    ms(run.submitCalls().getValueAtPercentile(99))));
            out.add(Figure.millis("producer.late.p99", "producer late p99 (intended -> call)",
                    ms(run.lateness().getValueAtPercentile(99))));
            Histogram sinceSubmit = engine.tasks.sinceSubmit.getIntervalHistogram();
            out.add(Figure.millis("call.start.p50", "submit call -> start p50",
                    ms(sinceSubmit.getValueAtPercentile(50))));
            out.add(Figure.millis("call.start.p99", "submit call -> start p99",
                    ms(sinceSubmit.getValueAtPercentile(99))));
            out.add(Figure.millis("call.start.p999", "submit call -> start p99.9",
                    ms(sinceSubmit.getValueAtPercentile(99.9))));
            out.add(Figure.rate("rate", "achieved submit rate", run.submitted() / run.seconds()).cpu(used));
            out.add(Figure.count("backlog.end", "backlog when the load stopped", backlogAtEnd)
                    .target(Figure.Target.atMost(rate / 100.0)));
            out.add(Figure.count("backlog.max", "largest backlog sampled", maxBacklog.get()));
            out.add(Figure.millis("catchup", "last probe ran after the load stopped", catchUp));
        }
        // With the engine closed: the same open loop handing off to one thread, to tell how much of the tail is the
        // machine's own
        Histogram floor = WakeUpFloor.measure(rate, bench.sizes.latency(), threads, deadline);
        out.add(Figure.millis("machine.p99", "machine's wake-up floor p99 (no engine, no Redis)",
                ms(floor.getValueAtPercentile(99))));
        out.add(Figure.millis("machine.p999", "machine's wake-up floor p99.9", ms(floor.getValueAtPercentile(99.9))));
        out.add(Figure.millis("machine.max", "machine's wake-up floor max", ms(floor.getMaxValue())));
    }

    /** Submits a probe with its intended time and the time its submit call begins. */
    private static LongConsumer probe(Engine engine) {
        return intended -> engine.client.submit(BenchTasks::probe, intended, System.nanoTime());
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
