package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;

/** One client thread submits no-op tasks with {@code submitAll}, in batches; no worker runs. */
final class BulkSubmitScenario extends Scenario {

    BulkSubmitScenario() {
        super("submit-bulk", "one client thread submits no-op tasks with submitAll in batches");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(30 + sizes.bulkTasks() / 5_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        Sizes sizes = bench.sizes;
        try (Engine engine = bench.engine()) {
            List<TaskCall<?>> batch = new ArrayList<>();
            for (int i = 0; i < sizes.bulkBatch(); i++) {
                batch.add(TaskCall.of(BenchTasks::noop));
            }
            int batches = sizes.bulkTasks() / sizes.bulkBatch();
            long start = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                deadline.check("submitting batch " + i + " of " + batches);
                engine.client.submitAll(batch);
            }
            long elapsed = System.nanoTime() - start;
            out.add(Figure.rate("submit.bulk.rate", String.format("submitAll, batches of %,d", sizes.bulkBatch()),
                    batches * (double) sizes.bulkBatch() * 1e9 / elapsed).target(Figure.Target.atLeast(60_000)));
        }
    }
}
