package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.worker.Worker;
import org.HdrHistogram.Histogram;

/**
 * Delayed tasks start on time: tasks with countdowns spread uniformly over a range are submitted to a running
 * worker; each handler records how late it started after its due time (submit time + countdown).
 */
final class DelayedScenario extends Scenario {

    /** Small batches, so that a batch's own submit time (the error of its due times) stays well under 1 ms. */
    private static final int BATCH = 50;

    DelayedScenario() {
        super("delayed", "tasks with countdowns uniform over a range: lateness of the handler's start after the due "
                + "time");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return sizes.delayMax().plusSeconds(60 + sizes.delayedTasks() / 2_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        Sizes sizes = bench.sizes;
        int total = sizes.delayedTasks();
        long min = sizes.delayMin().toMillis();
        long span = sizes.delayMax().toMillis() - min;
        Random random = new Random(42);
        try (Engine engine = bench.engine()) {
            CpuWatch cpu = bench.cpuWatch();
            Worker worker = engine.startWorker(List.of(Engine.QUEUE));
            for (int from = 0; from < total; from += BATCH) {
                deadline.check("submitting delayed tasks");
                List<TaskCall<?>> batch = new ArrayList<>(BATCH);
                long submitted = System.nanoTime();
                for (int i = from; i < Math.min(total, from + BATCH); i++) {
                    long countdown = min + (long) (random.nextDouble() * span);
                    batch.add(TaskCall.of(BenchTasks::delayed, submitted + countdown * 1_000_000)
                            .withOptions(TaskOptions.defaults().countdown(Duration.ofMillis(countdown))));
                }
                engine.client.submitAll(batch);
            }
            deadline.await(() -> engine.tasks.handled.get() >= total, 5, "running " + total + " delayed tasks ("
                    + engine.tasks.handled.get() + " started)");
            CpuPerTask used = cpu.perTask(total);
            engine.stopWorker(worker);

            Histogram h = engine.tasks.lateness.getIntervalHistogram();
            out.add(Figure.millis("lateness.p50", "lateness p50", h.getValueAtPercentile(50) / 1e6).cpu(used));
            out.add(Figure.millis("lateness.p99", "lateness p99", h.getValueAtPercentile(99) / 1e6)
                    .target(Figure.Target.atMost(10)));
            out.add(Figure.millis("lateness.max", "lateness max", h.getMaxValue() / 1e6));
            out.add(Figure.count("early", "started before due (<= 1 ms, ms rounding)", engine.tasks.early.get()));
        }
    }
}
