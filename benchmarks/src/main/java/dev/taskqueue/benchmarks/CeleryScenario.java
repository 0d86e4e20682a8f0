package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.celery.CeleryInterop;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Celery queues, Python beside Java, on the same Redis and machine (issue 14's targets: a Java worker drains at least
 * 10 times what a Python prefork worker drains, and the Java client submits at least 20,000 Celery messages/s):
 * <ol>
 * <li>the Java client fills the Celery queue {@value CeleryEngine#QUEUE} with {@code celeryTasks} calls
 * {@code bench.add(1, 1)}; a Python Celery worker ({@code -P prefork -c 2}, Celery's defaults otherwise) drains them;
 * </li>
 * <li>the same messages again, drained by a Java worker (concurrency {@value #JAVA_CONCURRENCY}) after an unmeasured
 * drain four times as long, so that it runs compiled code as a long-lived worker does;</li>
 * <li>both drains are timed by their results ({@link CeleryResultsWatch}), each checked for success and sum;</li>
 * <li>the Java client sends {@code celeryBulkTasks} calls with {@code submitAll}, {@code bulkBatch} per batch.</li>
 * </ol>
 * It needs Python Celery ({@code apt-get install python3-celery python3-redis}), so it runs only when named.
 */
final class CeleryScenario extends Scenario {

    /** Worker processes of the Python worker: one per core of the machine the targets are set for. */
    static final int PYTHON_PROCESSES = 2;

    static final int JAVA_CONCURRENCY = 64;

    /** The call every message carries; its result, 2, lets the results be checked by their sum. */
    private static final TaskCall<Integer> ADD = TaskCall.of(BenchTasks::add, 1, 1);

    CeleryScenario() {
        super("celery", "Celery queues: a Python Celery worker (prefork) and a Java worker drain the same messages; "
                + "the Java client submits Celery messages in bulk (needs Python Celery)");
    }

    @Override
    boolean runsOnlyWhenNamed() {
        return true;
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        // Python Celery drains a few hundred to a few thousand tasks a second on 2 cores.
        return Duration.ofSeconds(90 + sizes.celeryTasks() / 100 + sizes.celeryBulkTasks() / 5_000);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        Sizes sizes = bench.sizes;
        int total = sizes.celeryTasks();
        long sum = 2L * total;
        RedisCommands<String, String> redis = bench.admin.commands();
        try (CeleryEngine celery = new CeleryEngine(bench)) {
            fill(celery, total, deadline);
            double redisCpu = bench.admin.cpu().seconds();
            double python;
            try (PythonCeleryWorker worker = PythonCeleryWorker.start("redis://127.0.0.1:" + bench.redis.port()
                    + "/0", CeleryEngine.QUEUE, PYTHON_PROCESSES)) {
                python = CeleryResultsWatch.awaitRate(redis, CeleryEngine.QUEUE, total, sum, worker::checkAlive,
                        deadline, "the Python Celery worker draining");
            }
            double pythonRedisCpu = bench.admin.cpu().seconds() - redisCpu;
            out.add(Figure.rate("celery.python.drain.rate", String.format("Python worker, prefork -c %d (%,d tasks)",
                    PYTHON_PROCESSES, total), python));
            bench.redis.clear();

            fill(celery, total * 4, deadline);
            double warm = javaDrain(bench, celery, total * 4, deadline);
            bench.redis.clear();
            fill(celery, total, deadline);
            redisCpu = bench.admin.cpu().seconds();
            CpuWatch cpu = bench.cpuWatch();
            double java = javaDrain(bench, celery, total, deadline);
            CpuPerTask javaCpu = cpu.perTask(total);
            double javaRedisCpu = bench.admin.cpu().seconds() - redisCpu;
            out.add(Figure.rate("celery.java.drain.rate", String.format("Java worker, concurrency %d (%,d tasks)",
                    JAVA_CONCURRENCY, total), java).cpu(javaCpu));
            out.add(Figure.of("celery.drain.ratio", "Java drain / Python drain", java / python, Figure.Unit.RATIO)
                    .target(Figure.Target.atLeast(10)));
            out.note(String.format("Redis CPU per task drained: Python %.0f us, Java %.0f us; the Java worker's "
                    + "unmeasured drain of %,d tasks before: %,.0f/s",
                    pythonRedisCpu * 1e6 / total, javaRedisCpu * 1e6 / total, total * 4, warm));
            bench.redis.clear();

            CpuWatch bulkCpu = bench.cpuWatch();
            double bulk = bulk(celery, redis, sizes, deadline);
            CpuPerTask bulkUsed = bulkCpu.perTask(Bench.batchedTotal(sizes.bulkBatch(),
                    sizes.celeryBulkTasks()));
            out.add(Figure.rate("celery.bulk.rate", String.format("Java submitAll, batches of %,d", sizes.bulkBatch()),
                    bulk).target(Figure.Target.atLeast(20_000)).cpu(bulkUsed));
        }
    }

    /** Drains {@code total} messages already in the queue with a Java worker; their rate. */
    private static double javaDrain(Bench bench, CeleryEngine celery, int total, Deadline deadline) {
        CeleryInterop.Worker worker = celery.startWorker(JAVA_CONCURRENCY);
        try {
            return CeleryResultsWatch.awaitRate(bench.admin.commands(), CeleryEngine.QUEUE, total, 2L * total,
                    () -> { }, deadline, "the Java worker draining");
        }
        finally {
            worker.stop(Duration.ofSeconds(5));
        }
    }

    /** The bulk submit's rate; every message must be in the queue after it. */
    private static double bulk(CeleryEngine celery, RedisCommands<String, String> redis, Sizes sizes,
            Deadline deadline) {
        double rate = Bench.submitBatches(celery.client, ADD, sizes.bulkBatch(), sizes.celeryBulkTasks(), deadline);
        long sent = Bench.batchedTotal(sizes.bulkBatch(), sizes.celeryBulkTasks());
        long queued = redis.llen(CeleryEngine.QUEUE);
        if (queued != sent) {
            throw new Scenario.Failed("submitAll sent " + sent + " Celery messages, but " + CeleryEngine.QUEUE
                    + " holds " + queued);
        }
        return rate;
    }

    /** Pre-fills the Celery queue with {@code total} calls of {@link #ADD}. */
    private static void fill(CeleryEngine celery, int total, Deadline deadline) {
        Bench.prefill(celery.client, ADD, List.of(CeleryEngine.QUEUE), total, deadline);
    }
}
