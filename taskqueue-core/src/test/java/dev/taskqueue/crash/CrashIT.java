package dev.taskqueue.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import dev.taskqueue.worker.Worker;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 of a worker at any instant loses nothing: a worker in another JVM is killed with SIGKILL in the middle
 * of its tasks; every task completes exactly once, the killed worker's on another worker, within seconds (the
 * production defaults: heartbeat 1 s, liveness timeout 5 s).
 */
class CrashIT {

    private static final long TASK_MILLIS = 6_000; // still running when the victim is killed, even on a slow machine

    @Test
    @Timeout(120)
    void aWorkerKilledMidTaskLosesNothingAndItsTasksRunOnceElsewhere() throws Exception {
        RedisCommands<String, String> redis = SharedRedis.admin().sync();
        try (TaskQueueFixture tq = new TaskQueueFixture(new CrashTasks("survivor", SharedRedis.client()))) {
            WorkerProcess victim = WorkerProcess.start("victim", 4, CrashTasks.class);
            try {
                List<TaskHandle<String>> victims = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    victims.add(tq.client.submit(CrashTasks::work, "v" + i, TASK_MILLIS));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> redis.hlen("crash:starts") == 4);

                // The survivor starts before the kill, as in a real fleet, and takes the next tasks.
                Worker survivor = tq.startWorker(s -> s.workerId("survivor").concurrency(8)
                        .heartbeatInterval(Duration.ofSeconds(1)).livenessTimeout(Duration.ofSeconds(5))
                        .janitorInterval(Duration.ofSeconds(1)));
                List<TaskHandle<String>> others = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    others.add(tq.client.submit(CrashTasks::work, "s" + i, 500L));
                }
                Thread.sleep(500);
                for (TaskHandle<String> handle : victims) {
                    assertThat(handle.info().worker()).isEqualTo("victim");
                    assertThat(handle.state()).isEqualTo(TaskState.STARTED);
                }

                long killedAt = System.currentTimeMillis();
                victim.kill(); // SIGKILL

                for (TaskHandle<String> handle : victims) {
                    assertThat(handle.get(Duration.ofSeconds(30))).startsWith("v");
                    assertThat(handle.info().worker()).isEqualTo(survivor.id());
                }
                for (TaskHandle<String> handle : others) {
                    assertThat(handle.get(Duration.ofSeconds(30))).startsWith("s");
                }

                Map<String, String> starts = redis.hgetall("crash:starts");
                Map<String, String> completions = redis.hgetall("crash:completions");
                long recovery = 0;
                Map<String, Long> restartedAt = new HashMap<>();
                for (String line : redis.lrange("crash:log", 0, -1)) {
                    String[] parts = line.split(" ");
                    if (parts[0].startsWith("v") && parts[1].equals("survivor")) {
                        restartedAt.put(parts[0], Long.parseLong(parts[2]));
                    }
                }
                for (int i = 0; i < 4; i++) {
                    assertThat(starts).containsEntry("v" + i, "2"); // killed once, run again once
                    assertThat(completions).containsEntry("v" + i, "1"); // completed exactly once
                    assertThat(starts).containsEntry("s" + i, "1");
                    assertThat(completions).containsEntry("s" + i, "1");
                    recovery = Math.max(recovery, restartedAt.get("v" + i) - killedAt);
                }
                System.out.println("CRASH-TEST recovery after kill -9: " + recovery + " ms (liveness timeout 5 s)");
                assertThat(recovery).isLessThan(10_000);
                assertThat(redis.zscore("{taskqueue}:workers", "victim")).isNull();
            }
            finally {
                victim.kill();
                redis.del("crash:starts", "crash:completions", "crash:log");
            }
        }
    }

}
