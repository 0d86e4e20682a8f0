package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.taskqueue.TaskCall;
import dev.taskqueue.worker.WorkerSettings;

/**
 * How the drain rate of no-op tasks ({@code ignoreResult}) changes with one dimension: the depth of the queue,
 * the number of queues a worker consumes, or the number of worker JVMs. Reports both rates and their ratio.
 */
final class GrowthScenario extends Scenario {

    /** The small-depth drain is short: it is repeated and its median kept. */
    private static final int SMALL_DEPTH_REPEATS = 5;

    enum Dimension {
        DEPTH, QUEUES, JVMS
    }

    private final Dimension dimension;

    GrowthScenario(Dimension dimension) {
        super("growth-" + dimension.name().toLowerCase(Locale.ROOT), switch (dimension) {
            case DEPTH -> "drain rate with a shallow vs a deep pre-filled queue (one worker)";
            case QUEUES -> "drain rate with the tasks in 1 queue vs spread over many (one worker consuming all)";
            case JVMS -> "drain rate of one queue by 1 vs 2 worker JVMs (child processes)";
        });
        this.dimension = dimension;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return switch (dimension) {
            case DEPTH -> Duration.ofSeconds(60 + sizes.largeDepth() / 4_000);
            case QUEUES -> Duration.ofSeconds(60 + sizes.drainTasks() / 2_000);
            case JVMS -> Duration.ofSeconds(120 + sizes.drainTasks() / 2_000);
        };
    }

    /** How long an I/O-bound task waits, and each worker JVM's concurrency for them (the engine's default). */
    static final int IO_TASK_MILLIS = 10;
    static final int IO_CONCURRENCY = WorkerSettings.DEFAULT_CONCURRENCY;

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        Sizes sizes = bench.sizes;
        TaskCall<Void> noop = TaskCall.of(BenchTasks::noop);
        List<String> one = List.of(Engine.QUEUE);
        String key = "growth." + dimension.name().toLowerCase(Locale.ROOT);
        try (Engine engine = bench.engine()) {
            Figure a;
            Figure b;
            switch (dimension) {
                case DEPTH -> {
                    List<Drain.Drained> small = new ArrayList<>();
                    for (int i = 0; i < SMALL_DEPTH_REPEATS; i++) {
                        small.add(Drain.inProcess(bench, engine, noop, one, sizes.smallDepth(), deadline));
                    }
                    small.sort(Comparator.comparingDouble(Drain.Drained::perSecond));
                    a = small.get(small.size() / 2).figure(key + ".small", String.format(
                            "drain rate, %,d pending (median of %d)", sizes.smallDepth(), SMALL_DEPTH_REPEATS));
                    out.add(a);
                    b = Drain.inProcess(bench, engine, noop, one, sizes.largeDepth(), deadline).figure(key + ".large",
                            String.format("drain rate, %,d pending", sizes.largeDepth()));
                }
                case QUEUES -> {
                    a = Drain.inProcess(bench, engine, noop, one, sizes.drainTasks(), deadline).figure(key + ".one",
                            String.format("drain rate, %,d tasks in 1 queue", sizes.drainTasks()));
                    out.add(a);
                    b = Drain.inProcess(bench, engine, noop, Bench.queues(sizes.manyQueues()), sizes.drainTasks(),
                            deadline).figure(key + ".many", String.format("same over %d queues", sizes.manyQueues()));
                }
                case JVMS -> {
                    // No-op tasks are CPU work: on a small machine shared with Redis, a second JVM competes for
                    // the same cores. I/O-bound tasks (waiting on another service) are what scale out.
                    Figure cpuOne = Drain.inWorkerJvms(bench, engine, 1, sizes.drainTasks(), deadline).figure(
                            key + ".one", String.format("no-op drain rate, %,d tasks, 1 worker JVM",
                                    sizes.drainTasks()));
                    out.add(cpuOne);
                    Figure cpuTwo = Drain.inWorkerJvms(bench, engine, 2, sizes.drainTasks(), deadline).figure(
                            key + ".two", "same, 2 worker JVMs");
                    out.add(cpuTwo);
                    out.add(Figure.of(key + ".ratio", "second / first", cpuTwo.value() / cpuOne.value(),
                            Figure.Unit.RATIO));
                    TaskCall<Void> io = TaskCall.of(BenchTasks::io, IO_TASK_MILLIS);
                    int ioTasks = Math.max(200, sizes.drainTasks() / 40);
                    a = Drain.inWorkerJvms(bench, engine, 1, ioTasks, io, IO_CONCURRENCY, deadline).figure(
                            key + ".io.one", String.format("%d ms I/O tasks, %,d, 1 worker JVM (concurrency %d)",
                                    IO_TASK_MILLIS, ioTasks, IO_CONCURRENCY));
                    out.add(a);
                    b = Drain.inWorkerJvms(bench, engine, 2, ioTasks, io, IO_CONCURRENCY, deadline).figure(
                            key + ".io.two", "same, 2 worker JVMs");
                    key = key + ".io";
                }
                default -> throw new IllegalStateException(dimension.name());
            }
            out.add(b);
            out.add(Figure.of(key + ".ratio", "second / first", b.value() / a.value(), Figure.Unit.RATIO));
        }
    }
}
