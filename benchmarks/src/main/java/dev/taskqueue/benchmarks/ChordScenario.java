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
 * A chord: N small header tasks, whose results are stored and reported to the chord (an atomic script; the members
 * that end together, in one), then one callback with all of them. Measures header tasks per second from the submit
 * to the callback's result, and how long the submit itself took. Chords as large in all run first, in the
 * same engine and unmeasured: the drain warm-up leaves the workflow path (reports, the callback's start) to be
 * compiled, and a chord measured cold counts the JIT compiler's work (a third of a core) as the chord's.
 */
final class ChordScenario extends Scenario {

    /** Unmeasured chords run first, together as large as the measured one. */
    private static final int WARM_UP_CHORDS = 5;

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
            engine.startWorker(List.of(Engine.QUEUE));
            int warmUpSize = Math.max(1, n / WARM_UP_CHORDS);
            for (int i = 0; i < WARM_UP_CHORDS; i++) {
                sumOfSquares(engine, warmUpSize).get(Duration.ofMillis(Math.max(1, deadline.remainingMillis())));
            }
            CpuWatch cpu = bench.cpuWatch();
            long start = System.nanoTime();
            TaskHandle<Long> result = sumOfSquares(engine, n);
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

    /** Submits a chord of {@code n} header tasks {@code square(i)} and the callback {@code sum}. */
    private static TaskHandle<Long> sumOfSquares(Engine engine, int n) {
        List<Signature<? extends Long>> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(TaskCall.of(BenchTasks::square, i));
        }
        return engine.client.submit(chord(group(members), TaskCall.partial(BenchTasks::sum)));
    }
}
