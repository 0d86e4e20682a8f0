package dev.taskqueue.benchmarks;

import java.time.Duration;

/**
 * How big each scenario is. {@link #FULL} gives the figures to report; {@link #QUICK} the same scenarios in about
 * a quarter of the time; {@link #SMOKE} exercises every scenario in seconds (figures meaningless) so that
 * {@code mvn verify} keeps the harness working.
 *
 * @param mode the name printed with the results
 * @param warmupTasks tasks drained (both kinds) before the first scenario, so the JIT has compiled the hot path
 * @param drainTasks tasks pre-filled then drained by the drain scenarios
 * @param bulkTasks tasks submitted by the bulk-submit scenario
 * @param bulkBatch calls per {@code submitAll}
 * @param singleSubmitTasks tasks submitted one by one by the threaded submit scenario
 * @param submitThreads client threads of the threaded submit scenario
 * @param latency how long each open-loop latency scenario measures (after half as long of warm-up)
 * @param delayedTasks delayed tasks, with countdowns spread uniformly over [delayMin, delayMax]
 * @param delayMin the shortest countdown
 * @param delayMax the longest countdown
 * @param killTasks tasks in flight in the worker JVM that is killed
 * @param fastWorkers whether workers use short heartbeats, liveness and poll timeouts (smoke), instead of the
 *        engine's defaults
 * @param memoryTasks pending tasks whose Redis memory is measured
 * @param heapTasks delayed tasks kept in Redis while a worker's heap is watched
 * @param heapWatch how long the worker runs with them before its heap is measured again
 * @param smallDepth the small pre-filled depth of the growth scenario
 * @param largeDepth the large pre-filled depth of the growth scenario
 * @param manyQueues how many queues the many-queues growth scenario spreads its tasks over
 * @param referencePipelined requests of {@code redis-benchmark -P 16}
 * @param referencePlain requests of {@code redis-benchmark -P 1}
 * @param chordTasks header tasks of the chord scenario
 * @param chaos how the chaos scenario runs (its options change it)
 * @param celeryTasks messages each worker drains in the celery scenario (the Java worker drains four times as many
 *        first, unmeasured, to be compiled)
 * @param celeryBulkTasks Celery messages the celery scenario submits in batches of {@code bulkBatch}
 */
record Sizes(String mode, int warmupTasks, int drainTasks, int bulkTasks, int bulkBatch, int singleSubmitTasks,
        int submitThreads, Duration latency, int delayedTasks, Duration delayMin, Duration delayMax, int killTasks,
        boolean fastWorkers, int memoryTasks, int heapTasks, Duration heapWatch, int smallDepth, int largeDepth,
        int manyQueues, int referencePipelined, int referencePlain, int chordTasks, ChaosPlan chaos, int celeryTasks,
        int celeryBulkTasks) {

    static final Sizes FULL = new Sizes("full", 100_000, 300_000, 500_000, 1_000, 200_000, 8, Duration.ofSeconds(20),
            10_000, Duration.ofMillis(100), Duration.ofSeconds(2), 8, false, 1_000_000, 1_000_000,
            Duration.ofSeconds(10), 1_000, 1_000_000, 100, 1_000_000, 200_000, 50_000,
            new ChaosPlan(3, Duration.ofSeconds(120), Duration.ofSeconds(10), 50, Duration.ofSeconds(60), true), 5_000,
            50_000);

    static final Sizes QUICK = new Sizes("quick", 30_000, 60_000, 100_000, 1_000, 40_000, 8, Duration.ofSeconds(5),
            10_000, Duration.ofMillis(100), Duration.ofSeconds(2), 8, false, 100_000, 100_000,
            Duration.ofSeconds(3), 1_000, 100_000, 100, 300_000, 50_000, 20_000,
            new ChaosPlan(3, Duration.ofSeconds(45), Duration.ofSeconds(7), 50, Duration.ofSeconds(60), true), 2_000,
            20_000);

    static final Sizes SMOKE = new Sizes("smoke", 200, 300, 300, 100, 200, 8, Duration.ofMillis(400), 100,
            Duration.ofMillis(50), Duration.ofMillis(300), 2, true, 1_000, 1_000, Duration.ofMillis(300), 100, 1_000,
            10, 20_000, 5_000, 200,
            new ChaosPlan(2, Duration.ofSeconds(6), Duration.ofMillis(1_500), 20, Duration.ofSeconds(30), true), 50, 300);

    /** These sizes with another chaos plan. */
    Sizes withChaos(ChaosPlan plan) {
        return new Sizes(mode, warmupTasks, drainTasks, bulkTasks, bulkBatch, singleSubmitTasks, submitThreads,
                latency, delayedTasks, delayMin, delayMax, killTasks, fastWorkers, memoryTasks, heapTasks, heapWatch,
                smallDepth, largeDepth, manyQueues, referencePipelined, referencePlain, chordTasks, plan, celeryTasks,
                celeryBulkTasks);
    }

    /**
     * Warm-up rounds at most before the first scenario ({@link Benchmarks}): one for a smoke run, which checks that
     * the scenarios work, not how fast.
     */
    int maxWarmupRounds() {
        return this == SMOKE ? 1 : 6;
    }

    /** Warm-up of an open-loop latency scenario, before it records. */
    Duration latencyWarmup() {
        return latency.dividedBy(2);
    }
}
