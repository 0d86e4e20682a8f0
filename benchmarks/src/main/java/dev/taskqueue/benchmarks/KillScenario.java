package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;

/**
 * kill -9 of a worker with tasks in flight: a worker JVM takes tasks that hold their slot; once all have
 * started there, a worker in this JVM joins the queue (it has been up for a liveness timeout, as in a running
 * fleet: a worker that just started recovers nothing until then), and the worker JVM is killed with SIGKILL.
 * Measured: how long until each of its tasks starts again here, and whether any was lost.
 */
final class KillScenario extends Scenario {

    /** How long a task holds its slot in the worker that is killed (it is killed long before). */
    private static final long HOLD_MILLIS = 120_000;

    /** How long to wait for the tasks to start again before counting the missing ones as lost. */
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);

    KillScenario() {
        super("kill-9", "SIGKILL of a worker JVM with tasks in flight: time until they start on another worker, none "
                + "lost");
    }

    @Override
    Duration timeLimit(Sizes sizes) {
        return Duration.ofSeconds(90);
    }

    @Override
    void run(Bench bench, Deadline deadline, Findings out) throws Exception {
        int tasks = bench.sizes.killTasks();
        List<String> queue = List.of(Engine.QUEUE);
        try (Engine engine = bench.engine();
                ChildWorker victim = ChildWorker.launch(bench, queue, tasks, HOLD_MILLIS, "victim", deadline)) {
            Duration liveness = engine.livenessTimeout();
            victim.send("start");
            victim.expect("STARTED", deadline);
            for (int i = 0; i < tasks; i++) {
                engine.client.submit(BenchTasks::hold, "k" + i);
            }
            for (int i = 0; i < tasks; i++) {
                victim.expect("HOLD ", deadline);
            }
            engine.startWorker(queue);
            deadline.sleepAtMost(liveness);

            long killedAt = System.nanoTime();
            victim.kill();
            Deadline recovery = Deadline.in(RECOVERY_LIMIT);
            while (engine.tasks.holdStarts.size() < tasks && !recovery.passed() && !deadline.passed()) {
                Deadline.sleep(5);
            }
            long restarted = engine.tasks.holdStarts.size();
            long last = engine.tasks.holdStarts.values().stream().mapToLong(t -> t - killedAt).max().orElse(-1);
            long first = engine.tasks.holdStarts.values().stream().mapToLong(t -> t - killedAt).min().orElse(-1);
            long twice = engine.tasks.holdRuns.values().stream().filter(n -> n > 1).count();
            if (restarted > 0) {
                out.add(Figure.millis("kill.first", "kill -> first task restarted", first / 1e6));
                out.add(Figure.millis("kill.all", String.format("kill -> all %d restarted (liveness %d s)", tasks,
                        liveness.toSeconds()), last / 1e6).target(Figure.Target.atMost(10_000)));
            }
            out.add(Figure.count("kill.lost", "tasks lost (not restarted in " + RECOVERY_LIMIT.toSeconds() + " s)",
                    tasks - restarted).target(Figure.Target.atMost(0)));
            out.add(Figure.count("kill.twice", "tasks run twice on the survivor", twice));
            deadline.await(() -> engine.unfinished(queue) == 0, 10, "recording the outcomes of the restarted tasks");
        }
    }
}
