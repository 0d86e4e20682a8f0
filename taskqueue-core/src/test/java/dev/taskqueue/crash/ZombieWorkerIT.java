package dev.taskqueue.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import dev.taskqueue.worker.Worker;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A worker whose JVM runs out of memory hands its tasks over as a dead one would. The bug: an OutOfMemoryError ended
 * the acker's thread of a worker, which heartbeat on, so that the tasks it held were never run again until the
 * process was killed. Here a worker JVM with a 64 MB heap holds three long tasks when a fourth allocates until the
 * heap is exhausted (a real OutOfMemoryError); the three run on another worker within the liveness timeout (5 s) and
 * a few seconds, and with {@code on-fatal-error=exit} the JVM exits with a non-zero status.
 */
class ZombieWorkerIT {

    // Still running in the zombie when its heap is exhausted, even on a slow machine; the survivor's re-runs return
    // at once (see CrashTasks#work), so the test waits this out only where it proves something.
    private static final long HELD_TASK_MILLIS = 20_000;

    @ParameterizedTest(name = "on-fatal-error={0}")
    @ValueSource(strings = { "stop", "exit" })
    @Timeout(180)
    void aWorkerOutOfMemoryStopsHeartbeatingAndItsTasksRunElsewhere(String onFatalError) throws Exception {
        RedisCommands<String, String> redis = SharedRedis.admin().sync();
        try (TaskQueueFixture tq = new TaskQueueFixture(new CrashTasks("survivor", SharedRedis.client()))) {
            WorkerProcess zombie = WorkerProcess.start(SharedRedis.port(), "zombie", 4, CrashTasks.class,
                    List.of("-Xmx64m", "-D" + CrashTasks.EXHAUST_MEMORY + "=true"), "on-fatal-error=" + onFatalError);
            try {
                List<TaskHandle<String>> held = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    held.add(tq.client.submit(CrashTasks::work, "h" + i, HELD_TASK_MILLIS));
                }
                // Once the other worker's janitor trusts its own heartbeats (a liveness timeout after it starts).
                TaskHandle<Void> exhaust = tq.client.submit(CrashTasks::exhaustMemory, 8_000L);
                await().atMost(Duration.ofSeconds(20)).until(() -> redis.hlen("crash:starts") == 3
                        && exhaust.state() == TaskState.STARTED);

                Worker survivor = tq.startWorker(s -> s.workerId("survivor").concurrency(8)
                        .heartbeatInterval(Duration.ofSeconds(1)).livenessTimeout(Duration.ofSeconds(5))
                        .janitorInterval(Duration.ofSeconds(1)));
                await("the zombie's heap is exhausted").atMost(Duration.ofSeconds(30))
                        .until(() -> logged("out-of-memory zombie") != null);
                long outOfMemoryAt = logged("out-of-memory zombie");

                for (int i = 0; i < 3; i++) {
                    assertThat(held.get(i).get(Duration.ofSeconds(60))).isEqualTo("h" + i);
                    assertThat(held.get(i).info().worker()).isEqualTo(survivor.id());
                    assertThat(redis.hget("crash:completions", "h" + i)).as("completed once").isEqualTo("1");
                }
                long handedOver = 0;
                for (int i = 0; i < 3; i++) {
                    handedOver = Math.max(handedOver, logged("h" + i + " survivor") - outOfMemoryAt);
                }
                System.out.println("ZOMBIE-TEST on-fatal-error=" + onFatalError + ": held tasks restarted elsewhere "
                        + handedOver + " ms after the OutOfMemoryError (liveness timeout 5 s)");
                assertThat(handedOver).isLessThan(10_000);
                if (onFatalError.equals("exit")) {
                    OptionalInt status = zombie.awaitExit(Duration.ofSeconds(30));
                    assertThat(status).as("the JVM exited").isPresent();
                    assertThat(status.getAsInt()).as("exit status").isNotZero();
                }
                else {
                    assertThat(zombie.isAlive()).as("the application goes on").isTrue();
                    assertThat(redis.zscore("{taskqueue}:workers", "zombie")).as("seen dead, forgotten").isNull();
                    // Its held runs end now, unless the halt interrupted them; 2 s more for a late thread to finish.
                    long zombieRunsEnd = 0;
                    for (int i = 0; i < 3; i++) {
                        zombieRunsEnd = Math.max(zombieRunsEnd, logged("h" + i + " zombie") + HELD_TASK_MILLIS);
                    }
                    Thread.sleep(Math.max(0, zombieRunsEnd + 2_000 - System.currentTimeMillis()));
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(redis.hget("crash:completions", "h" + i)).as("the zombie's run did not complete too")
                            .isEqualTo("1");
                }
            }
            finally {
                zombie.kill();
                redis.del("crash:starts", "crash:completions", "crash:log");
            }
        }
    }

    /** When the line of {@code crash:log} that starts with {@code prefix} was written, or null. */
    private static Long logged(String prefix) {
        for (String line : SharedRedis.admin().sync().lrange("crash:log", 0, -1)) {
            if (line.startsWith(prefix + " ")) {
                return Long.parseLong(line.substring(prefix.length() + 1));
            }
        }
        return null;
    }
}
