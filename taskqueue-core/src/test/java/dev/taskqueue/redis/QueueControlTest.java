package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEventPublisher;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.Test;

/** Pause, resume and purge of a queue, its throughput figure, and the task event stream, on a real Redis. */
class QueueControlTest {

    private static final String QUEUE = "default";

    @Test
    void pausedQueueIsNotClaimedByRunningOrLaterWorkersUntilResumed() throws Exception {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker();
            tq.client.submit(TestTasks::echo, "before").get(Duration.ofSeconds(10));

            tq.admin.pause(QUEUE);
            assertThat(tq.admin.stats(QUEUE).paused()).isTrue();
            TaskHandle<String> held = tq.client.submit(TestTasks::echo, "while-paused");
            tq.startWorker(); // a worker started later honours the pause too
            Thread.sleep(1_500);
            assertThat(tasks.runsOf("while-paused")).isZero();
            assertThat(held.state()).isEqualTo(TaskState.PENDING);
            assertThat(tq.admin.stats(QUEUE).pending()).isEqualTo(1);

            tq.admin.resume(QUEUE);
            assertThat(held.get(Duration.ofSeconds(5))).isEqualTo("while-paused");
            assertThat(tq.admin.stats(QUEUE).paused()).isFalse();
        }
    }

    /**
     * A pause made elsewhere reaches a worker's view by an announcement, which may come after a task added right
     * after the pause was handed to the worker's waiting read: the flag, read right behind the read, holds it.
     */
    @Test
    void aTaskAddedRightAfterAPauseWaitsThoughTheAnnouncementIsLate() throws Exception {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker();
            tq.client.submit(TestTasks::echo, "before").get(Duration.ofSeconds(10));
            Thread.sleep(300); // the worker, idle, waits in its blocking read

            SharedRedis.admin().sync().set("{taskqueue:" + QUEUE + "}:paused", "1"); // paused, not announced yet
            TaskHandle<String> held = tq.client.submit(TestTasks::echo, "after-pause");
            Thread.sleep(1_000);
            assertThat(tasks.runsOf("after-pause")).isZero();
            assertThat(held.state()).isEqualTo(TaskState.PENDING);

            tq.admin.resume(QUEUE);
            assertThat(held.get(Duration.ofSeconds(5))).isEqualTo("after-pause");
        }
    }

    @Test
    void pauseHoldsOnlyTheNamedQueue() throws Exception {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker(s -> s.queue(QUEUE).queue("images"));
            tq.admin.pause(QUEUE);
            TaskHandle<String> paused = tq.client.submit(TestTasks::echo, "held");
            TaskHandle<TestTasks.Thumbnail> other = tq.client.submit(TestTasks::thumbnail, "img", 10);
            assertThat(other.get(Duration.ofSeconds(5)).imageId()).isEqualTo("img");
            assertThat(paused.state()).isEqualTo(TaskState.PENDING);
            tq.admin.resume(QUEUE);
            assertThat(paused.get(Duration.ofSeconds(5))).isEqualTo("held");
        }
    }

    @Test
    void purgeDeletesReadyAndDelayedTasksButNotRunningOnes() throws Exception {
        TestTasks tasks = new TestTasks();
        tasks.gate = new java.util.concurrent.CountDownLatch(1);
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            TaskHandle<String> running = busyWorker(tq);
            for (int i = 0; i < 25; i++) {
                tq.client.withOptions(TaskOptions.defaults().priority(i % 10)).submit(TestTasks::echo, "ready-" + i);
            }
            for (int i = 0; i < 5; i++) {
                tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                        .submit(TestTasks::echo, "later-" + i);
            }
            QueueStats before = tq.admin.stats(QUEUE);
            assertThat(before.pending()).isEqualTo(25);
            assertThat(before.scheduled()).isEqualTo(5);

            assertThat(tq.admin.purge(QUEUE)).isEqualTo(30);

            QueueStats after = tq.admin.stats(QUEUE);
            assertThat(after.pending()).isZero();
            assertThat(after.scheduled()).isZero();
            assertThat(after.active()).isEqualTo(1);
            tasks.gate.countDown();
            assertThat(running.get(Duration.ofSeconds(5))).isEqualTo("running");
            // what was purged never runs; the queue still works afterwards
            assertThat(tq.client.submit(TestTasks::echo, "after").get(Duration.ofSeconds(5))).isEqualTo("after");
            assertThat(tasks.order).containsExactly("running", "after");
        }
    }

    /** What the test kit shows and runs: a queue's tasks read without taking them, and delayed ones run now. */
    @Test
    void waitingTasksAreReadWithoutBeingTakenAndDelayedOnesCanAllBePromoted() throws Exception {
        TestTasks tasks = new TestTasks();
        tasks.gate = new java.util.concurrent.CountDownLatch(1);
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            TaskHandle<String> running = busyWorker(tq);
            TaskHandle<String> low = tq.client.submit(TestTasks::echo, "low");
            TaskHandle<String> urgent = tq.client.withOptions(TaskOptions.defaults().priority(9))
                    .submit(TestTasks::echo, "urgent");
            TaskHandle<String> later = tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                    .submit(TestTasks::echo, "later");

            List<WaitingTask> waiting = tq.admin.waiting(QUEUE, 100);

            assertThat(waiting).extracting(WaitingTask::taskId, WaitingTask::state).containsExactly(
                    tuple(urgent.id(), WaitingTask.State.READY), tuple(running.id(), WaitingTask.State.CLAIMED),
                    tuple(low.id(), WaitingTask.State.READY), tuple(later.id(), WaitingTask.State.DELAYED));
            assertThat(waiting.get(3).dueAt()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(59)));
            assertThat(tq.codec.decode(later.id(), waiting.get(3).body()).args().get(0).asString()).isEqualTo("later");
            assertThat(tq.admin.waiting(QUEUE, 2)).hasSize(2);
            QueueStats stats = tq.admin.stats(QUEUE);
            assertThat(List.of(stats.pending(), stats.active(), stats.scheduled())).containsExactly(2L, 1L, 1L);

            assertThat(tq.admin.promoteAll(QUEUE)).isEqualTo(1);
            assertThat(tq.admin.stats(QUEUE).scheduled()).isZero();
            tasks.gate.countDown();
            assertThat(later.get(Duration.ofSeconds(5))).isEqualTo("later");
            assertThat(tq.admin.waiting(QUEUE, 100)).isEmpty();
        }
    }

    /**
     * Between two tests of one application, its prefix forgets every task while its worker goes on; once no worker
     * is left, every key goes.
     */
    @Test
    void aPrefixForgetsItsTasksWhileItsWorkerGoesOnThenEverything() throws Exception {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            Worker worker = tq.startWorker(s -> s.queue(QUEUE).queue("images"));
            tq.schedules.setScheduleEnabled("nightly", false, 60_000);
            assertThatThrownBy(() -> tq.client.submit(TestTasks::fail, "boom").get(Duration.ofSeconds(5)));
            tq.admin.pause(QUEUE);
            tq.client.submit(TestTasks::echo, "waiting");
            tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1))).submit(TestTasks::echo, "later");
            tq.client.withOptions(TaskOptions.defaults().taskId("mine")).submit(TestTasks::echo, "with its id");

            tq.stores.forgetTasks();

            assertThat(SharedRedis.admin().sync().keys("*")).allMatch(key -> key.matches(
                    "\\{taskqueue:(default|images)}:s:[0-9r]|\\{taskqueue}:(workers|worker:.*|worker-queues|queues|queue-use"
                            + "|catalog.*|beat|beating-since|janitor)"), "a ready stream or the workers' keys")
                    .contains("{taskqueue:default}:s:0", "{taskqueue}:workers");
            assertThat(tq.admin.stats(QUEUE).paused()).isFalse();
            assertThat(tq.client.submit(TestTasks::echo, "after").get(Duration.ofSeconds(5))).isEqualTo("after");
            assertThat(tasks.order).doesNotContain("waiting", "later", "with its id");

            worker.stop();
            tq.stores.forgetEverything();
            assertThat(SharedRedis.admin().sync().keys("*")).isEmpty();
        }
    }

    /** Starts a one-slot worker busy with a task that runs until {@code gate} of its tasks opens. */
    private static TaskHandle<String> busyWorker(TaskQueueFixture tq) {
        tq.startWorker(s -> s.concurrency(1));
        TaskHandle<String> running = tq.client.submit(TestTasks::gated, "running");
        await().atMost(Duration.ofSeconds(5)).until(() -> running.state() == TaskState.STARTED);
        return running;
    }

    @Test
    void purgeOfALargeQueueTakesSeveralRounds() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            List<dev.taskqueue.TaskCall<?>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 2_500; i++) {
                calls.add(dev.taskqueue.TaskCall.of("test.echo", "v" + i));
            }
            tq.client.submitAll(calls);
            assertThat(tq.admin.purge(QUEUE)).isEqualTo(2_500);
            assertThat(tq.admin.stats(QUEUE).pending()).isZero();
        }
    }

    @Test
    void throughputCountsTasksFinishedInTheLastMinute() {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker();
            assertThat(tq.admin.stats(QUEUE).processedLastMinute()).isZero();
            for (int i = 0; i < 20; i++) {
                tq.client.submit(TestTasks::echo, "t" + i).get(Duration.ofSeconds(5));
            }
            for (int i = 0; i < 3; i++) {
                tq.client.submit(TestTasks::log, "fire-and-forget-" + i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("fire-and-forget-2") == 1);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> tq.admin.stats(QUEUE).processedLastMinute() == 23);
        }
    }

    @Test
    void eventStreamRecordsTheLifecycleFromEveryInstance() {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            RedisEventLog eventLog = new RedisEventLog(tq.stores, 1_000);
            tq.onClose(eventLog);
            List<TaskEvent> local = new CopyOnWriteArrayList<>();
            tq.listeners.add(new TaskEventPublisher(event -> {
                local.add(event);
                eventLog.accept(event);
            }, "test-instance", Clock.systemUTC()));
            tq.startWorker();
            String ok = tq.client.submit(TestTasks::echo, "fine").id();
            TaskHandle<String> failing = tq.client.submit(TestTasks::fail, "boom");
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.state() == TaskState.FAILURE);

            // Newest first. The client (SENT) and the worker write their batches independently, so only each
            // writer's own events are in order.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(eventLog.recent(100)
                    .stream().filter(e -> e.taskId().equals(ok)).map(TaskEvent::type).toList())
                    .containsExactlyInAnyOrder(TaskEvent.Type.SUCCEEDED, TaskEvent.Type.STARTED,
                            TaskEvent.Type.RECEIVED, TaskEvent.Type.SENT)
                    .filteredOn(type -> type != TaskEvent.Type.SENT)
                    .containsExactly(TaskEvent.Type.SUCCEEDED, TaskEvent.Type.STARTED, TaskEvent.Type.RECEIVED));
            TaskEvent failed = await().atMost(Duration.ofSeconds(5)).until(() -> eventLog.recent(100).stream()
                    .filter(e -> e.taskId().equals(failing.id()) && e.type() == TaskEvent.Type.FAILED)
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            assertThat(failed.errorType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.errorMessage()).isEqualTo("boom");
            assertThat(failed.source()).isEqualTo("test-instance");
            assertThat(failed.taskName()).isEqualTo("test.fail");
            assertThat(failed.duration()).isNotNull();
            assertThat(local).extracting(TaskEvent::type).contains(TaskEvent.Type.SENT, TaskEvent.Type.FAILED);
        }
    }

    @Test
    void eventStreamIsCappedNearItsMaximumLength() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            RedisEventLog eventLog = new RedisEventLog(tq.stores, 100);
            for (int i = 0; i < 2_000; i++) {
                eventLog.accept(new TaskEvent(TaskEvent.Type.SENT, "id-" + i, "t", QUEUE,
                        java.time.Instant.now(), "test", null, null, null));
            }
            eventLog.close();
            Long length = tq.connections.await(tq.connections.commands()
                    .xlen(RedisBroker.bytes("{taskqueue}:events")), "xlen");
            assertThat(length).isBetween(100L, 300L);
            assertThat(eventLog.recent(1).get(0).taskId()).isEqualTo("id-1999");
        }
    }
}
