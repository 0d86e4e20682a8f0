package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

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

    /** How long it may take at these sizes before it is reported as "did not finish". */
    abstract Duration timeLimit(Sizes sizes);

    abstract void run(Bench bench, Deadline deadline, List<Figure> out) throws Exception;
}
