package dev.taskqueue.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 of a worker whose concurrency grew (it drained short tasks with the default settings) loses nothing: every
 * task it held runs again on another worker, since it held only what it ran.
 */
class AdaptiveCrashIT {

    private static final int TASKS = 20_000;

    @Test
    @Timeout(120)
    void aWorkerKilledAfterItsConcurrencyGrewLosesNothing() throws Exception {
        try (TaskQueueFixture tq = new TaskQueueFixture(new CrashTasks("survivor", SharedRedis.client()))) {
            List<TaskHandle<?>> handles = new ArrayList<>();
            List<TaskCall<?>> calls = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                calls.add(TaskCall.of(CrashTasks::quick, "q" + i));
                if (calls.size() == 1_000) {
                    handles.addAll(tq.client.submitAll(calls));
                    calls.clear();
                }
            }
            WorkerProcess victim = WorkerProcess.start("victim", 0, CrashTasks.class);
            try {
                // Its heartbeat publishes its concurrency once a second.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> tq.admin
                        .workers().stream().filter(w -> w.id().equals("victim")).mapToInt(WorkerInfo::concurrency)
                        .max().orElse(0) > WorkerSettings.DEFAULT_CONCURRENCY);
                victim.kill(); // SIGKILL, in the middle of the drain
                long left = tq.admin.stats("default").pending();
                System.out.println("ADAPTIVE-CRASH killed with " + left + " of " + TASKS + " tasks still waiting");

                tq.startWorker(s -> s.workerId("survivor").livenessTimeout(Duration.ofSeconds(5))
                        .heartbeatInterval(Duration.ofSeconds(1)));
                for (TaskHandle<?> handle : handles) {
                    assertThat(handle.get(Duration.ofSeconds(60))).isNotNull(); // throws unless it succeeded
                }
                assertThat(tq.admin.stats("default").dead()).isZero();
            }
            finally {
                victim.kill();
            }
        }
    }
}
