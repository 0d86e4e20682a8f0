package dev.taskqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.TaskState;
import dev.taskqueue.TaskTimeoutException;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.testing.TestTasks.Thumbnail;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Submitting, waiting, looking up: what a caller sees. */
class TaskHandleTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    /** Cancelling a handle's future, or a group's, stops the wait in the result backend, not just the caller's. */
    @Test
    void cancellingAFutureStopsWaitingInTheBackend() {
        List<CompletableFuture<TaskInfo>> waits = new CopyOnWriteArrayList<>();
        ResultBackend backend = new ResultBackend() {

            @Override
            public TaskInfo find(String queue, String taskId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<TaskInfo> whenFinished(String queue, String taskId) {
                CompletableFuture<TaskInfo> wait = new CompletableFuture<>();
                waits.add(wait);
                return wait;
            }
        };
        TaskHandle<String> task = new DefaultTaskHandle<>("t1", "default", String.class, backend, tq.codec, null,
                DefaultTaskHandle.Revoker.NONE);
        task.future().cancel(false);
        GroupHandle<String> group = new DefaultGroupHandle<>("g1", List.of(task, task));
        group.future().cancel(false);

        assertThat(waits).hasSize(3).allMatch(CompletableFuture::isCancelled);
    }

    /** Whatever a backend fails with, a caller waiting on a handle gets a taskqueue exception naming the task. */
    @Test
    void aWaitThatFailsOtherwiseNamesTheTask() {
        ResultBackend broken = new ResultBackend() {

            @Override
            public TaskInfo find(String queue, String taskId) {
                return TaskInfo.pending(taskId, queue);
            }

            @Override
            public CompletableFuture<TaskInfo> whenFinished(String queue, String taskId) {
                return CompletableFuture.failedFuture(new IllegalStateException("backend bug"));
            }
        };
        TaskHandle<String> task = new DefaultTaskHandle<>("t1", "default", String.class, broken, tq.codec, null,
                DefaultTaskHandle.Revoker.NONE);

        assertThatThrownBy(() -> task.get(Duration.ofSeconds(10))).isInstanceOf(TaskQueueException.class)
                .hasMessageContaining("task [t1]").hasMessageContaining("backend bug")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new DefaultGroupHandle<>("g1", List.of(task)).get(Duration.ofSeconds(10)))
                .isInstanceOf(TaskQueueException.class).hasMessageContaining("group [g1]")
                .hasMessageContaining("backend bug");
    }

    @Test
    void aTypeCheckedSubmitReturnsTheTypedResult() {
        tq.startWorker(s -> s.queue("images"));
        TaskHandle<Thumbnail> handle = tq.client.submit(TestTasks::thumbnail, "img-42", 200);

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo(new Thumbnail("img-42", 200, List.of("w200")));
        assertThat(handle.info().queue()).isEqualTo("images");
        assertThat(handle.info().name()).isEqualTo("test.thumbnail");
    }

    @Test
    void everyFinishedRecordSaysWhenItsRunStartedEvenWhenItFinishedBeforeTheStartWasWritten() {
        tq.startWorker(s -> s.concurrency(4));
        List<TaskHandle<String>> quick = IntStream.range(0, 20)
                .mapToObj(i -> tq.client.submit(TestTasks::echo, "quick" + i)).toList();
        TaskHandle<String> slow = tq.client.submit(TestTasks::slow, "slow", 300L);

        for (TaskHandle<String> handle : quick) {
            handle.get(Duration.ofSeconds(10));
            TaskInfo info = handle.info();
            assertThat(info.startedAt()).as(handle.id()).isNotNull().isBeforeOrEqualTo(info.finishedAt());
        }
        slow.get(Duration.ofSeconds(10));
        TaskInfo info = slow.info();
        assertThat(Duration.between(info.startedAt(), info.finishedAt())).isGreaterThanOrEqualTo(
                Duration.ofMillis(250));
    }

    @Test
    void aVoidTaskCompletesWithNull() throws Exception {
        tq.startWorker();
        TaskHandle<Void> handle = tq.client.submit(TestTasks::log, "line");

        assertThat(handle.get(Duration.ofSeconds(10))).isNull();
        assertThat(handle.future().get(1, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void waitingAgainAndAgainOnAFinishedTaskAlwaysCompletes() throws Exception {
        tq.startWorker();
        TaskHandle<Integer> handle = tq.client.submit(TestTasks::add, 1, 2);
        handle.get(Duration.ofSeconds(10));

        // Each wait's clean-up races the next wait's registration: none may be lost.
        for (int i = 0; i < 200; i++) {
            CompletableFuture<Integer> first = handle.future();
            CompletableFuture<Integer> second = handle.future();
            assertThat(first.get(2, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(second.get(2, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    /** A timeout of zero polls: a finished task gives its result, however quick the wait (it used to time out). */
    @Test
    void aFinishedTaskGivesItsResultWithATimeoutOfZero() {
        tq.startWorker();
        TaskHandle<Integer> handle = tq.client.submit(TestTasks::add, 1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == TaskState.SUCCESS);

        for (int i = 0; i < 20; i++) {
            assertThat(tq.client.handle(handle.id(), Integer.class).get(Duration.ZERO)).isEqualTo(3);
        }
    }

    @Test
    void theFutureCompletesWithTheResultOrTheFailure() throws Exception {
        tq.startWorker();
        CompletableFuture<Integer> sum = tq.client.submit(TestTasks::add, 20, 22).future();
        CompletableFuture<String> failed = tq.client.submit(TestTasks::fail, "nope").future();

        assertThat(sum.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TaskFailedException.class);
    }

    @Test
    void waitingTooLongThrowsATimeoutAndTheTaskGoesOn() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(TestTasks::gated, "slow");

        assertThatThrownBy(() -> handle.get(Duration.ofMillis(300))).isInstanceOf(TaskTimeoutException.class)
                .hasMessageContaining("did not finish within PT0.3S");
        tasks.gate.countDown();
        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("slow");
    }

    @Test
    void anotherInstanceFindsATaskByItsId() {
        tq.startWorker(s -> s.queue("images"));
        String id = tq.client.submit(TestTasks::thumbnail, "img-1", 64).id();

        try (RedisResultBackend otherBackend = new RedisResultBackend(tq.stores, Duration.ofHours(1))) {
            TaskClient other = new DefaultTaskClient(tq.broker, otherBackend, tq.workflows, tq.admin,
                    new TaskRegistry(tq.mapper, "default"), tq.codec, ClientSettings.DEFAULTS, TaskEventListener.of(List.of()), Clock.systemUTC());
            TaskHandle<Thumbnail> found = other.handle(id, Thumbnail.class);
            assertThat(found.get(Duration.ofSeconds(10)).width()).isEqualTo(64);
            assertThat(found.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(found.info().queue()).isEqualTo("images");
        }
    }

    @Test
    void anUnknownIdReadsAsPending() {
        assertThat(tq.client.handle("never-submitted").state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void waitersAreToldByNotificationNotByPolling() throws Exception {
        List<String> published = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<String, String> listener = SharedRedis.client().connectPubSub();
        listener.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                published.add(message);
            }
        });
        listener.sync().psubscribe("taskqueue:notify:*");
        RedisResultBackend notPolling = new RedisResultBackend(tq.stores, Duration.ofHours(1), Duration.ofMinutes(1));
        try {
            tasks.gate = new CountDownLatch(1);
            tq.startWorker();
            TaskHandle<String> handle = tq.client.submit(TestTasks::gated, "notified");
            // A waiter in another instance whose first poll would come only after a minute.
            CompletableFuture<TaskInfo> waiting = notPolling.whenFinished("default", handle.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);
            tasks.gate.countDown();

            assertThat(waiting.get(30, TimeUnit.SECONDS).resultJson()).isEqualTo("\"notified\"");
            await().atMost(Duration.ofSeconds(2)).until(() -> published.contains(handle.id()));
        }
        finally {
            listener.close();
            notPolling.close();
        }
    }

    @Test
    void aWaiterOfATaskThatHasNoRecordYetIsToldByNotification() throws Exception {
        RedisResultBackend notPolling = new RedisResultBackend(tq.stores, Duration.ofHours(1), Duration.ofMinutes(1));
        try {
            TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "told");
            String record = "{taskqueue:default}:t:" + handle.id();
            // A waiter in another instance whose first poll would come only after a minute; a plain task has no
            // record until it ends, so its record holds the waiter's registration alone (the success sees only its
            // own fields and the registration, and must not take it for a record of its fields alone)
            CompletableFuture<TaskInfo> waiting = notPolling.whenFinished("default", handle.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> !SharedRedis.admin().sync().hkeys(record).isEmpty());
            assertThat(SharedRedis.admin().sync().hkeys(record)).containsExactly("notify");
            tq.startWorker();

            assertThat(waiting.get(10, TimeUnit.SECONDS).resultJson()).isEqualTo("\"told\"");
            assertThat(SharedRedis.admin().sync().hkeys(record)).as("the registration is gone")
                    .doesNotContain("notify");
        }
        finally {
            notPolling.close();
        }
    }

    @Test
    void aCallerChosenIdIsSubmittedOnce() {
        AtomicInteger duplicates = new AtomicInteger();
        tq.listeners.add(new TaskEventListener() {
            @Override
            public void duplicateSubmitted(String taskName, String queue) {
                duplicates.incrementAndGet();
            }
        });
        TaskClient withId = tq.client.withOptions(TaskOptions.defaults().taskId("order-42-receipt"));
        TaskHandle<String> first = withId.submit(TestTasks::echo, "receipt");
        TaskHandle<String> second = withId.submit(TestTasks::echo, "receipt");
        tq.startWorker();

        assertThat(second.id()).isEqualTo(first.id()).isEqualTo("order-42-receipt");
        assertThat(first.get(Duration.ofSeconds(10))).isEqualTo("receipt");
        TaskHandle<String> afterwards = withId.submit(TestTasks::echo, "receipt");
        assertThat(afterwards.get(Duration.ofSeconds(1))).isEqualTo("receipt");
        assertThat(tasks.runsOf("receipt")).isEqualTo(1);
        assertThat(duplicates).hasValue(2);
    }

    @Test
    void aBulkSubmitSendsEveryCallAndKeepsTheirOrder() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            calls.add(i % 3 == 0 ? TaskCall.of(TestTasks::thumbnail, "b" + i, i) : TaskCall.of(TestTasks::add, i, 1));
        }
        List<TaskHandle<?>> handles = tq.client.submitAll(calls);
        tq.startWorker(s -> s.queue("default").queue("images"));

        assertThat(handles).hasSize(1200);
        assertThat(handles.get(1).get(Duration.ofSeconds(20))).isEqualTo(2);
        assertThat(((Thumbnail) handles.get(3).get(Duration.ofSeconds(20))).width()).isEqualTo(3);
        for (TaskHandle<?> handle : handles) {
            handle.get(Duration.ofSeconds(20));
        }
    }

    @Test
    void resultsExpireAfterTheirTtl() throws Exception {
        tq.startWorker(s -> s.resultTtl(Duration.ofSeconds(1)));
        TaskHandle<Integer> handle = tq.client.submit(TestTasks::add, 1, 1);
        handle.get(Duration.ofSeconds(10));

        long ttl = SharedRedis.admin().sync().pttl("{taskqueue:default}:t:" + handle.id());
        assertThat(ttl).isBetween(1L, 1_000L);
        Thread.sleep(ttl + 100);
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
    }

    /**
     * Nothing is stored about a fire-and-forget task, so there is nothing to wait for and its state is unknown: the
     * handle says so rather than wait, or read PENDING, forever.
     */
    @Test
    void fireAndForgetTasksStoreNothingAndTheirHandlesSaySo() {
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(TestTasks::fireAndForget, "ff");

        // Once its outcome was acknowledged (a record would be written with it), not just once it started.
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("ff") == 1
                && tq.admin.stats("default").active() == 0);
        assertThat(SharedRedis.admin().sync().exists("{taskqueue:default}:t:" + handle.id())).isZero();
        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ignoreResult");
        assertThatThrownBy(handle::state).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test.fireAndForget [" + handle.id() + "] is declared with @Task(ignoreResult")
                .hasMessageContaining("its state is unknown");
        assertThatThrownBy(handle::info).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(handle::isDone).isInstanceOf(IllegalStateException.class);
    }
}
