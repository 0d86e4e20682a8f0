package dev.taskqueue.benchmarks;

import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;

/**
 * A chord: N small header tasks, whose results are stored and reported to the chord one by one (an atomic script
 * each), then one callback with all of them. Measures header tasks per second from the submit to the callback's
 * result, and how long the callback took to follow the last header task.
 */
final class ChordScenario extends Scenario {

    ChordScenario() {
        super("chord", "a chord of N small header tasks and a callback: header tasks per second, submit to result");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(60 + sizes.chordTasks() / 1_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        int n = bench.sizes.chordTasks();
        try (Engine engine = bench.engine()) {
            List<Signature<? extends Long>> members = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                members.add(TaskCall.of(BenchTasks::square, i));
            }
            engine.startWorker(List.of(Engine.QUEUE));
            CpuWatch cpu = bench.cpuWatch();
            long start = System.nanoTime();
            TaskHandle<Long> result = engine.client.submit(chord(group(members), TaskCall.partial(BenchTasks::sum)));
            long submitted = System.nanoTime();
            out.add(Figure.millis("submit", "submit of the chord", (submitted - start) / 1e6));
            long total = result.get(Duration.ofMillis(Math.max(1, deadline.remainingMillis())));
            long done = System.nanoTime();
            CpuPerTask used = cpu.perTask(n);
            long expected = 0;
            for (long i = 0; i < n; i++) {
                expected += i * i;
            }
            if (total != expected) {
                throw new IllegalStateException("the callback summed " + total + ", expected " + expected);
            }
            out.add(Figure.rate("rate", "header tasks/s, submit to callback result", n / ((done - start) / 1e9))
                    .cpu(used));
        }
    }
}
