package dev.taskqueue.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskOptions;

/**
 * What every scenario gets: the sizes and options of the run, the Redis server and the harness's view of it,
 * where to say what it is doing, and helpers to wire an engine and pre-fill queues.
 */
final class Bench {

    /** Calls per {@code submitAll} when pre-filling. */
    private static final int PREFILL_BATCH = 1_000;

    final Options options;
    final Sizes sizes;
    final BenchRedis redis;
    final RedisAdmin admin;

    /** Progress lines of a long scenario (the run's output). */
    final PrintStream log;

    Bench(Options options, BenchRedis redis, PrintStream log) {
        this.options = options;
        this.sizes = options.sizes();
        this.redis = redis;
        this.admin = redis.admin;
        this.log = log;
    }

    /** Starts measuring the CPU the JVMs and Redis use from now on, to give it per task at the end of the work. */
    CpuWatch cpuWatch() {
        return CpuWatch.start(redis);
    }

    /** A fresh engine with fresh counters, the run's worker concurrency and no worker yet. */
    Engine engine() {
        return new Engine(redis.uri(), new BenchTasks(), null, options.concurrency(), sizes.fastWorkers());
    }

    /** An engine that knows the {@link ChaosTasks}, to submit them (its own worker would not journal them). */
    Engine chaosEngine() {
        return new Engine(redis.uri(), new BenchTasks(), new ChaosTasks(RunJournal.NONE), options.concurrency(),
                sizes.fastWorkers());
    }

    /**
     * Submits {@code total} copies of {@code call} with {@code submitAll}, spread evenly over {@code queues}, as
     * fast as one client thread can.
     */
    static void prefill(TaskClient client, TaskCall<?> call, List<String> queues, int total, Deadline deadline) {
        List<TaskCall<?>> perQueue = new ArrayList<>();
        for (String queue : queues) {
            perQueue.add(call.withOptions(call.options().merge(TaskOptions.defaults().queue(queue))));
        }
        List<TaskCall<?>> batch = new ArrayList<>(PREFILL_BATCH);
        for (int i = 0; i < total; i++) {
            batch.add(perQueue.get(i % perQueue.size()));
            if (batch.size() == PREFILL_BATCH || i == total - 1) {
                deadline.check("pre-filling " + total + " tasks (" + i + " so far)");
                client.submitAll(batch);
                batch.clear();
            }
        }
    }

    /**
     * Submits {@code total / batchSize} batches of {@code batchSize} copies of {@code call} with {@code submitAll}
     * from this thread, back to back; returns the calls submitted per second.
     */
    static double submitBatches(TaskClient client, TaskCall<?> call, int batchSize, int total, Deadline deadline) {
        List<TaskCall<?>> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            batch.add(call);
        }
        int batches = total / batchSize;
        long start = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            deadline.check("submitting batch " + i + " of " + batches);
            client.submitAll(batch);
        }
        return batchedTotal(batchSize, total) * 1e9 / (System.nanoTime() - start);
    }

    /** The calls {@link #submitBatches} submits: whole batches only. */
    static long batchedTotal(int batchSize, int total) {
        return (long) (total / batchSize) * batchSize;
    }

    /** {@code name-0 .. name-(n-1)}, or just {@code Engine.QUEUE} for one. */
    static List<String> queues(int n) {
        if (n == 1) {
            return List.of(Engine.QUEUE);
        }
        List<String> queues = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            queues.add("q" + i);
        }
        return queues;
    }
}
