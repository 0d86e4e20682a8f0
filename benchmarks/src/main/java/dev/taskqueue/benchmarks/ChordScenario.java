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
 * to the callback's result, and how long the submit itself took. Smaller chords run first, in the same engine and
 * unmeasured, until one ran with the JIT compiler quiet ({@link JitWatch}): the drain warm-up leaves the workflow path
 * (reports, the callback's start) to be compiled, and a chord measured cold counts the compiler's work as the chord's.
 * Five fixed warm-up chords were not enough: C2 still compiled in the measured chord (the codec's decode, the
 * continuation after a member) and took 31% of the JVM's samples, and the rate read 14,555-21,516/s. Each warm-up
 * chord takes every fifth value of the measured one's range: with the first fifth only, no square passed
 * {@code Integer.MAX_VALUE} before the measured chord, whose larger ones then threw Jackson's compiled number writing
 * and reading out ({@code -XX:+PrintCompilation}: made not entrant, compiled again inside the measured window).
 */
final class ChordScenario extends Scenario {

    /** Each warm-up chord is this share of the measured one. */
    private static final int WARM_UP_DIVISOR = 5;
    /** Warm-up chords at least (as large in all as the measured one), and at most. */
    private static final int MIN_WARM_UP_CHORDS = 5;
    private static final int MAX_WARM_UP_CHORDS = 30;

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
            int warmUpSize = Math.max(1, n / WARM_UP_DIVISOR);
            int warmUps = 0;
            boolean quiet = false;
            while (warmUps < MIN_WARM_UP_CHORDS || !quiet && warmUps < MAX_WARM_UP_CHORDS) {
                JitWatch jit = JitWatch.start();
                sumOfSquares(engine, warmUps % WARM_UP_DIVISOR, WARM_UP_DIVISOR, warmUpSize)
                        .get(Duration.ofMillis(Math.max(1, deadline.remainingMillis())));
                quiet = jit.quiet();
                warmUps++;
            }
            out.add(Figure.count("warm-up", "warm-up chords, until one ran with the JIT compiler quiet", warmUps));
            CpuWatch cpu = bench.cpuWatch();
            long start = System.nanoTime();
            TaskHandle<Long> result = sumOfSquares(engine, 0, 1, n);
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

    /** Submits a chord of {@code n} header tasks {@code square(first + k * step)} and the callback {@code sum}. */
    private static TaskHandle<Long> sumOfSquares(Engine engine, int first, int step, int n) {
        List<Signature<? extends Long>> members = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            members.add(TaskCall.of(BenchTasks::square, first + k * step));
        }
        return engine.client.submit(chord(group(members), TaskCall.partial(BenchTasks::sum)));
    }
}
