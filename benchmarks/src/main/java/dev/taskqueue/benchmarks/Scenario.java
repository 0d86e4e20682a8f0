package dev.taskqueue.benchmarks;

import java.time.Duration;

/**
 * One measurement. It runs against an empty Redis, adds its figures to {@code out} as it measures them (so that
 * a scenario that runs out of time still reports what it measured), and leaves nothing running.
 */
abstract class Scenario {

    private final String name;
    private final String description;

    /**
     * @param name the name used by {@code --scenario}
     * @param description one line: what is measured, and how
     */
    Scenario(String name, String description) {
        this.name = name;
        this.description = description;
    }

    final String name() {
        return name;
    }

    final String description() {
        return description;
    }

    /**
     * Whether it injects faults and checks what survives them, instead of measuring speed. Such a scenario takes
     * minutes, so it runs only when named; it needs no warm-up; it may run against the user's Redis
     * ({@code --redis-uri}), touching only the benchmark's keys; and it may restart the benchmark's own
     * redis-server, which then keeps an append-only file.
     */
    boolean injectsFaults() {
        return false;
    }

    /**
     * Whether it runs only when named ({@code --scenario}): those that inject faults, and those that need more than
     * this JVM (a built application to measure).
     */
    boolean runsOnlyWhenNamed() {
        return injectsFaults();
    }

    /** How long it may take at these sizes before it is reported as "did not finish". */
    abstract Duration timeLimit(Sizes sizes);

    abstract void run(Bench bench, Deadline deadline, Findings out) throws Exception;

    /**
     * How much of its work a scenario does first on its own engine, unmeasured: a quarter. The JIT compiler has the
     * hot paths from the warm-up, but the warm-up's engine closed, and a new one takes branches compiled code never
     * took (its connection not yet open, the event loops of the closed one shut down): the JIT throws that code away
     * and compiles it again. In a run of {@code submit-threads} without it, 130 methods were compiled in the measured
     * 3.6 s, the compilers 13% of the JVM's CPU samples: a cost an application that keeps its engine does not pay.
     */
    static int ownWarmup(int measured) {
        return Math.max(1, measured / 4);
    }

    /**
     * A correctness failure the scenario measured (a task lost, a wrong result): its message says what, and the
     * run exits with a non-zero status. Its figures and notes are reported as usual.
     */
    static final class Failed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }
}
