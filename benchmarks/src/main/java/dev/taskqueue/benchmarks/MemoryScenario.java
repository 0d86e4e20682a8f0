package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;

/**
 * Redis memory per pending task: {@code used_memory} before and after pre-filling minimal tasks (no arguments,
 * no result kept), divided by their number. One task is submitted first, so that the scripts, the stream and
 * its consumer group already exist in the "before".
 */
final class MemoryScenario extends Scenario {

    MemoryScenario() {
        super("memory", "Redis used_memory per pending minimal task (INFO memory before and after pre-filling)");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(60 + sizes.memoryTasks() / 5_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        int total = bench.sizes.memoryTasks();
        List<String> queue = List.of(Engine.QUEUE);
        try (Engine engine = bench.engine()) {
            TaskCall<Void> minimal = TaskCall.of(BenchTasks::noop);
            engine.client.submit(minimal);
            long before = bench.admin.usedMemory();
            CpuWatch cpu = bench.cpuWatch();
            Bench.prefill(engine.client, minimal, queue, total, deadline);
            CpuPerTask prefill = cpu.perTask(total);
            long after = bench.admin.usedMemory();
            // the CPU is the pre-fill's: submitAll into a queue growing to this depth
            out.add(Figure.of("memory.perTask", String.format("bytes per pending task (%,d pending)", total),
                    (after - before) / (double) total, Figure.Unit.BYTES).target(Figure.Target.atMost(250))
                    .cpu(prefill));
            out.add(Figure.of("memory.total", "used_memory growth", (after - before) / 1e6, Figure.Unit.MEGABYTES));
            out.add(Figure.count("memory.pending", "pending tasks counted by the broker", engine.pending(queue)));
        }
    }
}
