package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a worker claims, orders, bounds and stops, against a real Redis. */
class WorkerTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    void moreUrgentTasksOfAQueueRunFirst() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(TaskCall.of(TestTasks::echo, "low-" + i));
        }
        for (int i = 0; i < 5; i++) {
            calls.add(TaskCall.of(TestTasks::echo, "high-" + i).withOptions(TaskOptions.defaults().priority(9)));
        }
        calls.add(TaskCall.of(TestTasks::echo, "mid").withOptions(TaskOptions.defaults().priority(5)));
        tq.client.submitAll(calls);

        tq.startWorker(s -> s.concurrency(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.order.size() == 11);
        assertThat(tasks.order.subList(0, 6)).containsExactly("high-0", "high-1", "high-2", "high-3", "high-4",
                "mid");
        assertThat(tasks.order.subList(6, 11)).containsExactly("low-0", "low-1", "low-2", "low-3", "low-4");
    }

    @Test
    void aWorkerNeverHoldsMoreTasksThanItHasFreeSlots() throws InterruptedException {
        List<TaskHandle<String>> handles = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            handles.add(tq.client.submit(TestTasks::slow, "s" + i, 150L));
        }
        // Held by the worker (claimed, running or not yet started) = 12 - waiting in Redis - handlers finished.
        // Read the Redis count first: it only falls and the finished count only rises, so it is never overstated.
        AtomicLong maxHeld = new AtomicLong();
        AtomicLong samples = new AtomicLong();
        AtomicReference<RuntimeException> samplerFailure = new AtomicReference<>();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    long waiting = tq.admin.stats("default").pending();
                    maxHeld.accumulateAndGet(12 - waiting - tasks.completed.get(), Math::max);
                    samples.incrementAndGet();
                }
                catch (RuntimeException ex) {
                    if (!Thread.currentThread().isInterrupted()) {
                        samplerFailure.set(ex);
                    }
                    return;
                }
            }
        });
        sampler.start();
        try {
            tq.startWorker(s -> s.concurrency(3));
            handles.forEach(h -> h.get(Duration.ofSeconds(20)));
        }
        finally {
            sampler.interrupt();
        }
        sampler.join(5_000);
        assertThat(samplerFailure.get()).isNull();
        assertThat(samples.get()).isPositive();
        assertThat(tasks.maxRunning.get()).isEqualTo(3);
        assertThat(maxHeld.get()).isLessThanOrEqualTo(3);
    }

    @Test
    void strictOrderDrainsEarlierQueuesFirst() {
        for (int i = 0; i < 5; i++) {
            tq.client.submit(TestTasks::echo, "default-" + i);
            tq.client.submit(TestTasks::urgent, "urgent-" + i);
        }
        tq.startWorker(s -> s.queue("urgent").queue("default").strictOrder(true).concurrency(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.order.size() == 10);
        assertThat(tasks.order.subList(0, 5)).allMatch(key -> key.startsWith("urgent"));
    }

    @Test
    void weightedQueuesShareTheWorkerInProportion() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            calls.add(TaskCall.of(TestTasks::echo, "default-" + i));
            calls.add(TaskCall.of(TestTasks::urgent, "urgent-" + i));
        }
        tq.client.submitAll(calls);
        tq.startWorker(s -> s.queue("urgent", 3).queue("default", 1).concurrency(1));

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.order.size() == 120);
        List<String> first = tasks.order.subList(0, 40);
        long urgent = first.stream().filter(k -> k.startsWith("urgent")).count();
        assertThat(urgent).as("urgent tasks among the first 40 (expected ~30)").isGreaterThan(20).isLessThan(40);
    }

    @Test
    void stoppingLetsRunningTasksFinish() throws Exception {
        Worker worker = tq.startWorker(s -> s.shutdownTimeout(Duration.ofSeconds(5)));
        TaskHandle<String> handle = tq.client.submit(TestTasks::slow, "finishing", 600L);
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);

        worker.stop();

        assertThat(worker.state()).isEqualTo(Worker.State.STOPPED);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(tasks.runsOf("finishing")).isEqualTo(1);
        assertThat(SharedRedis.admin().sync().zscore("{taskqueue}:workers", worker.id())).isNull();
    }

    @Test
    void tasksStillRunningAfterTheShutdownTimeoutAreHandedBackAtOnce() {
        tasks.gate = new CountDownLatch(1);
        Worker first = tq.startWorker(s -> s.shutdownTimeout(Duration.ofMillis(300)));
        TaskHandle<String> handle = tq.client.submit(TestTasks::gated, "unfinished");
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);

        long stopping = System.currentTimeMillis();
        first.stop();
        assertThat(System.currentTimeMillis() - stopping).isLessThan(5_000);

        // Handed back to the redelivery stream, not counted as a delivery (a clean stop is not a crash).
        var entries = SharedRedis.admin().sync().xrange("{taskqueue:default}:s:r", io.lettuce.core.Range.create("-",
                "+"));
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).getBody()).containsEntry("i", handle.id()).containsEntry("d", "0");

        tasks.gate.countDown();
        tq.startWorker();
        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("unfinished");
        assertThat(tasks.runsOf("unfinished")).isEqualTo(2);
    }

    @Test
    void aFailingTaskDoesNotStopTheWorker() {
        tq.startWorker();
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            try {
                tq.client.submit(TestTasks::fail, "boom" + i).get(Duration.ofSeconds(5));
            }
            catch (dev.taskqueue.TaskFailedException expected) {
                failures.incrementAndGet();
            }
        }
        assertThat(failures).hasValue(5);
        assertThat(tq.client.submit(TestTasks::add, 1, 2).get(Duration.ofSeconds(5))).isEqualTo(3);
    }

    @Test
    void aTaskThatExpiredBeforeItStartedIsRevokedNotRun() throws Exception {
        TaskHandle<String> expired = tq.client.withOptions(TaskOptions.defaults().expiresIn(Duration.ofMillis(100)))
                .submit(TestTasks::echo, "too late");
        TaskHandle<String> fresh = tq.client.withOptions(TaskOptions.defaults().expiresIn(Duration.ofMinutes(5)))
                .submit(TestTasks::echo, "in time");
        Thread.sleep(250);
        tq.startWorker();

        assertThatThrownBy(() -> expired.get(Duration.ofSeconds(10)))
                .isInstanceOf(dev.taskqueue.TaskRevokedException.class).hasMessageContaining("expired");
        assertThat(expired.state()).isEqualTo(TaskState.REVOKED);
        assertThat(fresh.get(Duration.ofSeconds(10))).isEqualTo("in time");
        assertThat(tasks.runsOf("too late")).isZero();
        assertThat(tq.admin.stats("default").dead()).isZero();
    }

    @Test
    void anIdleWorkerReportsNoActiveTasks() throws Exception {
        Worker worker = tq.startWorker(s -> s.concurrency(4));
        Thread.sleep(300); // the fetcher holds its free slots while it waits for tasks

        assertThat(worker.activeTasks()).isZero();
        assertThat(worker.info().active()).isZero();
    }

    @Test
    void workersShowTheirInfoWhileTheyRun() {
        Worker worker = tq.startWorker(s -> s.queue("default").queue("images").concurrency(4));
        tq.client.submit(TestTasks::add, 1, 1).get(Duration.ofSeconds(5));

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            var info = tq.admin.workers().stream().filter(w -> w.id().equals(worker.id())).findFirst()
                    .orElseThrow();
            assertThat(info.queues()).containsExactly("default", "images");
            assertThat(info.concurrency()).isEqualTo(4);
            assertThat(info.processed()).isEqualTo(1);
            assertThat(info.state()).isEqualTo("RUNNING");
            assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
        });
    }

    @Test
    void aLongTaskShowsStartedWhileItRuns() {
        tq.startWorker(s -> s.concurrency(2));
        TaskHandle<String> handle = tq.client.submit(TestTasks::slow, "long", 3_000L);

        await().atMost(Duration.ofSeconds(2)).until(() -> handle.state() == TaskState.STARTED);
        assertThat(tasks.completed.get()).as("still running").isZero();
    }

    @Test
    void aShortTaskIsRecordedOnceWithItsOutcomeNotFirstAsStarted() {
        tq.startWorker(s -> s.concurrency(4));
        tq.client.submit(TestTasks::add, 1, 1).get(Duration.ofSeconds(5)); // the worker is up
        int n = 200;
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(TaskCall.of(TestTasks::slow, "short-" + i, 2L)); // well under Acker.STARTED_NOTICE_AFTER_NANOS
        }
        long before = SharedRedis.calls("hset");
        for (TaskHandle<?> handle : tq.client.submitAll(calls)) {
            handle.get(Duration.ofSeconds(20));
        }

        // Per task: its PENDING record at submit and its outcome; a "started" notice would add two more (the state,
        // and the submit time), sent while the task ran (2 ms is many acknowledgement round trips).
        double perTask = (SharedRedis.calls("hset") - before) / (double) n;
        assertThat(perTask).isLessThan(2.5);
    }

    @Test
    void tasksThatTrickleInAreTakenByBlockingReadsWithoutAClaimBeforeEach() {
        tq.startWorker(s -> s.concurrency(4));
        tq.client.submit(TestTasks::add, 1, 1).get(Duration.ofSeconds(5)); // the worker is up
        int n = 200;
        long before = SharedRedis.calls("xlen");
        for (int i = 0; i < n; i++) {
            // each arrives while the worker waits on its blocking read, which then came back with one of four
            assertThat(tq.client.submit(TestTasks::add, i, 1).get(Duration.ofSeconds(5))).isEqualTo(i + 1);
        }

        // The claim script looks at the queue's 11 streams (XLEN each); it ran before every blocking read, once a
        // task. Now it runs every 100 ms while tasks trickle in, or after the fetcher was held up.
        double claimsPerTask = (SharedRedis.calls("xlen") - before) / 11.0 / n;
        assertThat(claimsPerTask).isLessThan(0.5);
    }
}
