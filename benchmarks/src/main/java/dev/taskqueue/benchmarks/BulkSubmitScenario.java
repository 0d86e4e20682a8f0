package dev.taskqueue.benchmarks;

import java.time.Duration;

import dev.taskqueue.TaskCall;

/** One client thread submits no-op tasks with {@code submitAll}, in batches; no worker runs. */
final class BulkSubmitScenario extends Scenario {

    BulkSubmitScenario() {
        super("submit-bulk", "one client thread submits no-op tasks with submitAll in batches");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(30 + sizes.bulkTasks() / 4_000); // and a quarter as many first
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        Sizes sizes = bench.sizes;
        try (Engine engine = bench.engine()) {
            Bench.submitBatches(engine.client, TaskCall.of(BenchTasks::noop), sizes.bulkBatch(),
                    Scenario.ownWarmup(sizes.bulkTasks()), deadline);
            CpuWatch cpu = bench.cpuWatch();
            double rate = Bench.submitBatches(engine.client, TaskCall.of(BenchTasks::noop), sizes.bulkBatch(),
                    sizes.bulkTasks(), deadline);
            out.add(Figure.rate("submit.bulk.rate", String.format("submitAll, batches of %,d", sizes.bulkBatch()),
                    rate).target(Figure.Target.atLeast(60_000))
                    .cpu(cpu.perTask(Bench.batchedTotal(sizes.bulkBatch(), sizes.bulkTasks()))));
        }
    }
}
