package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.QueueStats;

/**
 * A worker's heap does not grow with the delayed tasks waiting in Redis: a worker JVM's heap in use after a full
 * GC is read once it runs on an empty queue, then again after it has run for a while with many tasks delayed by
 * an hour (which must all still be in Redis).
 */
final class HeapScenario extends Scenario {

    /** Growth below this is "flat": a fraction of a single byte per task, far below any per-task copy. */
    private static final double FLAT_MEGABYTES = 2;

    HeapScenario() {
        super("heap-delayed", "heap used after GC of a worker JVM, before vs after running with many delayed tasks "
                + "in Redis");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return sizes.heapWatch().plusSeconds(60 + sizes.heapTasks() / 5_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        int total = bench.sizes.heapTasks();
        List<String> queue = List.of(Engine.QUEUE);
        try (Engine engine = bench.engine();
                ChildWorker worker = ChildWorker.launch(bench, queue, bench.options.concurrency(), 0, "heap-watch",
                        deadline)) {
            worker.send("start");
            worker.expect("STARTED", deadline);
            deadline.sleepAtMost(Duration.ofSeconds(1));
            long before = worker.heapUsedAfterGc(deadline);

            TaskCall<Void> later = TaskCall.of(BenchTasks::noop)
                    .withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)));
            Bench.prefill(engine.client, later, queue, total, deadline);
            deadline.sleepAtMost(bench.sizes.heapWatch());
            long after = worker.heapUsedAfterGc(deadline);
            QueueStats stats = engine.admin.stats(Engine.QUEUE);

            out.add(Figure.of("heap.before", "worker heap after GC, queue empty", before / 1e6, Figure.Unit.MEGABYTES));
            out.add(Figure.of("heap.after", String.format("same, %,d delayed tasks, %.1f s later", total,
                    bench.sizes.heapWatch().toMillis() / 1e3), after / 1e6, Figure.Unit.MEGABYTES));
            out.add(Figure.of("heap.growth", "heap growth", (after - before) / 1e6, Figure.Unit.MEGABYTES)
                    .target(Figure.Target.atMost(FLAT_MEGABYTES)));
            out.add(Figure.count("heap.scheduled", "delayed tasks still in Redis", stats.scheduled())
                    .target(Figure.Target.atLeast(total)));
        }
    }
}
