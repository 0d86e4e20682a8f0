package dev.taskqueue.workflow;

import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A chord of 1,000 header tasks, some retried, while a worker JVM running them is killed with SIGKILL midway:
 * the callback runs exactly once, with the 1,000 results in submit order.
 */
class ChordCrashIT {

    private static final int MEMBERS = 1_000;

    @Test
    @Timeout(180)
    void theCallbackRunsExactlyOnceWithEveryResultInOrder() throws Exception {
        RedisCommands<String, String> redis = SharedRedis.admin().sync();
        try (TaskQueueFixture tq = new TaskQueueFixture(new ChordTasks("survivor", SharedRedis.client()))) {
            WorkerProcess victim = WorkerProcess.start("victim", 8, ChordTasks.class);
            try {
                tq.startWorker(s -> s.workerId("survivor").concurrency(8).heartbeatInterval(Duration.ofSeconds(1))
                        .livenessTimeout(Duration.ofSeconds(5)).janitorInterval(Duration.ofSeconds(1)));
                TaskHandle<Integer> handle = tq.client.submit(chord(group(IntStream.range(0, MEMBERS)
                        .mapToObj(i -> TaskCall.of(ChordTasks::square, i)).toList()),
                        TaskCall.partial(ChordTasks::collect)));

                await().atMost(Duration.ofSeconds(60)).until(() -> redis.hlen("chord:runs") >= MEMBERS / 3);
                long victimRuns = Long.parseLong(redis.hget("chord:workers", "victim"));
                victim.kill(); // SIGKILL, with tasks in flight and reports to the chord under way

                assertThat(handle.get(Duration.ofSeconds(90))).isEqualTo(MEMBERS);
                Thread.sleep(2_000); // a duplicate callback would show up by now
                assertThat(redis.get("chord:callbacks")).isEqualTo("1");
                assertThat(redis.get("chord:result")).isEqualTo(IntStream.range(0, MEMBERS).map(i -> i * i).boxed()
                        .toList().toString());
                Map<String, String> runs = redis.hgetall("chord:runs");
                assertThat(runs).hasSize(MEMBERS);
                long retried = IntStream.range(0, MEMBERS).filter(i -> i % 97 == 0).count();
                long totalRuns = runs.values().stream().mapToLong(Long::parseLong).sum();
                assertThat(totalRuns).isGreaterThanOrEqualTo(MEMBERS + retried);
                assertThat(victimRuns).isPositive();
                assertThat(tq.admin.chords(10)).isEmpty();
                System.out.println("CHORD-CRASH-TEST " + MEMBERS + " members, " + retried + " retried, victim ran "
                        + victimRuns + " before kill -9, " + totalRuns + " runs in all, callback runs: "
                        + redis.get("chord:callbacks"));
            }
            finally {
                victim.kill();
                redis.del("chord:runs", "chord:workers", "chord:callbacks", "chord:result");
            }
        }
    }

}
