package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.worker.Worker;

/**
 * Measures how fast workers empty pre-filled queues: tasks drained per second, from the moment work starts to
 * the moment Redis holds no unacknowledged task (the last outcome recorded), not merely the last handler run.
 */
final class Drain {

    /** Worker JVMs drain this many tasks with a throwaway worker before they are measured, to be compiled. */
    private static final int CHILD_WARMUP_TASKS = 20_000;

    private Drain() {
    }

    /**
     * A drain's rate, and what it cost in CPU per task drained (from the workers' start to the last
     * acknowledgement; the pre-fill is not in it).
     */
    record Drained(double perSecond, CpuPerTask cpu) {

        /** A rate figure of it, with its CPU per task. */
        Figure figure(String key, String label) {
            return Figure.rate(key, label, perSecond).cpu(cpu);
        }
    }

    /**
     * Pre-fills {@code total} tasks over {@code queues}, starts one worker in this JVM on all of them, and returns
     * the rate from the first handler's start to the last acknowledgement.
     */
    static Drained inProcess(Bench bench, Engine engine, TaskCall<?> call, List<String> queues, int total,
            Deadline deadline) {
        Bench.prefill(engine.client, call, queues, total, deadline);
        engine.tasks.reset();
        CpuWatch cpu = bench.cpuWatch();
        Worker worker = engine.startWorker(queues);
        try {
            deadline.await(() -> engine.tasks.handled.get() >= total, 1, "draining " + total + " tasks ("
                    + engine.tasks.handled.get() + " run)");
            deadline.await(() -> engine.unfinished(queues) == 0, 1, "waiting for the last outcomes to be recorded");
            long end = System.nanoTime();
            return new Drained(total * 1e9 / (end - engine.tasks.firstStartNanos.get()), cpu.perTask(total));
        }
        finally {
            engine.stopWorker(worker);
        }
    }

    /**
     * Starts {@code jvms} worker JVMs on one queue, warms them up, pre-fills {@code total} no-op tasks, starts
     * their workers at once and returns the rate from the start command to the last acknowledgement.
     */
    static Drained inWorkerJvms(Bench bench, Engine engine, int jvms, int total, Deadline deadline)
            throws Exception {
        return inWorkerJvms(bench, engine, jvms, total, TaskCall.of(BenchTasks::noop), bench.options.concurrency(),
                deadline);
    }

    /** The drain rate of {@code total} tasks like {@code task} by {@code jvms} worker JVMs of this concurrency. */
    static Drained inWorkerJvms(Bench bench, Engine engine, int jvms, int total, TaskCall<Void> task, int concurrency,
            Deadline deadline) throws Exception {
        List<String> queue = List.of(Engine.QUEUE);
        List<ChildWorker> children = new ArrayList<>();
        try {
            for (int i = 0; i < jvms; i++) {
                children.add(ChildWorker.launch(bench, queue, concurrency, 0, "drain-jvm-" + i, deadline));
            }
            int warmup = Math.min(CHILD_WARMUP_TASKS, total) * jvms;
            Bench.prefill(engine.client, task, queue, warmup, deadline);
            startAll(children, deadline);
            deadline.await(() -> engine.unfinished(queue) == 0, 5, "warming up " + jvms + " worker JVM(s)");
            stopAll(children, deadline);

            Bench.prefill(engine.client, task, queue, total, deadline);
            CpuWatch cpu = bench.cpuWatch();
            long start = System.nanoTime();
            startAll(children, deadline);
            deadline.await(() -> engine.unfinished(queue) == 0, 2, "draining " + total + " tasks with " + jvms
                    + " worker JVM(s)");
            long end = System.nanoTime();
            CpuPerTask used = cpu.perTask(total);
            stopAll(children, deadline);
            return new Drained(total * 1e9 / (end - start), used);
        }
        finally {
            children.forEach(ChildWorker::close);
        }
    }

    private static void startAll(List<ChildWorker> children, Deadline deadline) {
        children.forEach(c -> c.send("start"));
        children.forEach(c -> c.expect("STARTED", deadline));
    }

    private static void stopAll(List<ChildWorker> children, Deadline deadline) {
        children.forEach(c -> c.send("stop"));
        children.forEach(c -> c.expect("STOPPED", deadline));
    }
}
