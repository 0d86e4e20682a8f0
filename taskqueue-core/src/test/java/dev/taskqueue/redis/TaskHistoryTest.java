package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.HistoryBatch;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.TaskHistory.Point;
import dev.taskqueue.broker.TaskHistory.Resolution;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.Test;

/** The task history: workers count in memory and flush to Redis; read back zero-filled ({@link RedisTaskHistory}). */
class TaskHistoryTest {

    @Test
    void workersCountWhatTheyRunPerMinuteAndPerHourForQueuesAndTasks() throws Exception {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            Instant from = Instant.now().minusSeconds(60);
            Worker worker = tq.startWorker();
            for (int i = 0; i < 5; i++) {
                tq.client.submit(TestTasks::echo, "ok" + i).get(Duration.ofSeconds(5));
            }
            List<TaskHandle<String>> failing = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                failing.add(tq.client.submit(TestTasks::fail, "no" + i));
            }
            failing.add(tq.client.withOptions(TaskOptions.defaults().retry(RetryPolicy.maxRetries(3)
                    .withDelay(Duration.ofHours(1)))).submit(TestTasks::fail, "later"));
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.stream().allMatch(h -> h.state()
                    == TaskState.FAILURE || h.state() == TaskState.RETRY));
            worker.stop(); // flushes what is left
            Instant to = Instant.now();
            TaskHistory history = tq.stores.history();

            List<Point> minutes = history.read(Resolution.MINUTE, from, to, null, null);
            assertThat(minutes).hasSizeBetween(2, 3); // zero-filled, one per minute
            assertThat(minutes.get(0).start().toEpochMilli() % 60_000).isZero();
            assertTotals(minutes, 8, 2, 1);
            assertThat(minutes.stream().mapToLong(p -> Arrays.stream(p.runTimeBuckets()).sum()).sum()).isEqualTo(8);
            assertThat(minutes.stream().filter(p -> p.lagMillis() != null)).isNotEmpty();
            assertTotals(history.read(Resolution.HOUR, from, to, null, null), 8, 2, 1);
            assertTotals(history.read(Resolution.MINUTE, from, to, "default", null), 8, 2, 1);
            assertTotals(history.read(Resolution.MINUTE, from, to, null, "test.fail"), 3, 2, 1);
            assertTotals(history.read(Resolution.HOUR, from, to, "default", "test.echo"), 5, 0, 0);
            assertTotals(history.read(Resolution.MINUTE, from, to, "images", null), 0, 0, 0);
            assertThat(history.read(Resolution.MINUTE, from, to, null, "test.fail")).allSatisfy(p -> assertThat(
                    p.lagMillis()).isNull());

            long minute = to.toEpochMilli() / 60_000;
            var redis = SharedRedis.admin().sync();
            assertThat(redis.pttl("{taskqueue}:h:m:" + minute)).isBetween(Duration.ofHours(47).toMillis(),
                    WorkerSettings.DEFAULT_HISTORY_MINUTES_RETENTION.toMillis());
            assertThat(redis.pttl("{taskqueue}:h:h:" + minute / 60)).isBetween(Duration.ofDays(29).toMillis(),
                    WorkerSettings.DEFAULT_HISTORY_HOURS_RETENTION.toMillis());
        }
    }

    @Test
    void aWorkerWithHistoryOffCountsNothing() throws Exception {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            Worker worker = tq.startWorker(s -> s.history(false));
            tq.client.submit(TestTasks::echo, "quiet").get(Duration.ofSeconds(5));
            worker.stop();
            assertThat(SharedRedis.admin().sync().keys("{taskqueue}:h:*")).isEmpty();
        }
    }

    @Test
    void taskNamesPastTheLimitOfABucketCountAsOther() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            long minute = System.currentTimeMillis() / 60_000;
            List<HistoryBatch.Counts> counts = new ArrayList<>();
            for (int i = 0; i < RedisHistoryWriter.MAX_TASK_NAMES + 2; i++) {
                long[] values = new long[HistoryBatch.VALUES];
                values[HistoryBatch.PROCESSED] = 1;
                counts.add(new HistoryBatch.Counts(minute, "default", "task-" + i, values));
            }
            tq.broker.recordHistory(new HistoryBatch(counts, List.of(), minute, Duration.ofMinutes(5),
                    Duration.ofHours(1)));

            Instant at = Instant.ofEpochMilli(minute * 60_000);
            TaskHistory history = tq.stores.history();
            assertThat(history.read(Resolution.MINUTE, at, at, null, null).get(0).processed())
                    .isEqualTo(RedisHistoryWriter.MAX_TASK_NAMES + 2);
            assertThat(history.read(Resolution.MINUTE, at, at, null, "task-0").get(0).processed()).isEqualTo(1);
            assertThat(history.read(Resolution.MINUTE, at, at, null, "task-501").get(0).processed()).isZero();
            assertThat(history.read(Resolution.MINUTE, at, at, "default", RedisHistoryWriter.OTHER).get(0)
                    .processed()).isEqualTo(2);
            assertThat(SharedRedis.admin().sync().pttl("{taskqueue}:h:m:" + minute))
                    .isBetween(1L, Duration.ofMinutes(5).toMillis());
        }
    }

    private static void assertTotals(List<Point> points, long processed, long failed, long retried) {
        assertThat(points.stream().mapToLong(Point::processed).sum()).as("processed").isEqualTo(processed);
        assertThat(points.stream().mapToLong(Point::failed).sum()).as("failed").isEqualTo(failed);
        assertThat(points.stream().mapToLong(Point::retried).sum()).as("retried").isEqualTo(retried);
    }
}
