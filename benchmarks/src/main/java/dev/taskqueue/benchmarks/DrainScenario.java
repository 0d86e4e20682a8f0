package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;

/**
 * One worker in this JVM drains a pre-filled queue of no-op tasks, their results ignored or stored, after an unmeasured
 * drain of a quarter as many ({@link Scenario#ownWarmup}).
 */
final class DrainScenario extends Scenario {

    private final boolean storeResults;

    DrainScenario(boolean storeResults) {
        super(storeResults ? "drain-stored" : "drain-ignored", "one worker drains a pre-filled queue of no-op tasks, "
                + (storeResults ? "results and states stored" : "@Task(ignoreResult = true)"));
        this.storeResults = storeResults;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(60 + sizes.drainTasks() / 3_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) {
        TaskCall<?> call = storeResults ? TaskCall.of(BenchTasks::noopStored) : TaskCall.of(BenchTasks::noop);
        try (Engine engine = bench.engine()) {
            Drain.inProcess(bench, engine, call, List.of(Engine.QUEUE), Scenario.ownWarmup(bench.sizes.drainTasks()),
                    deadline);
            Drain.Drained drained = Drain.inProcess(bench, engine, call, List.of(Engine.QUEUE),
                    bench.sizes.drainTasks(), deadline);
            out.add(drained.figure("drain.rate", String.format("drain rate (%,d tasks)", bench.sizes.drainTasks()))
                    .target(Figure.Target.atLeast(storeResults ? 40_000 : 80_000)));
        }
    }
}
