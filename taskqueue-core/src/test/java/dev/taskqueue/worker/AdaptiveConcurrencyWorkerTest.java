package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.taskqueue.TaskCall;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A worker with the default settings adapts its concurrency to the tasks it runs, against a real Redis. */
class AdaptiveConcurrencyWorkerTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void drainingShortTasksTakesMoreSlotsThanTheFloor() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            calls.add(TaskCall.of(TestTasks::fireAndForget, "noop"));
            if (calls.size() == 1_000) {
                tq.client.submitAll(calls);
                calls.clear();
            }
        }
        Worker worker = tq.startWorker();
        assertThat(worker.settings().adaptiveConcurrency()).isTrue();

        int peak = peakConcurrencyUntil(worker, () -> tasks.runsOf("noop") == 5_000);

        assertThat(tasks.runsOf("noop")).isEqualTo(5_000);
        assertThat(peak).isGreaterThan(WorkerSettings.DEFAULT_CONCURRENCY)
                .isLessThanOrEqualTo(worker.settings().maxConcurrency());
        assertThat(worker.info().maxConcurrency()).isEqualTo(worker.settings().maxConcurrency());
    }

    @Test
    void longTasksKeepTheFloor() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(TaskCall.of(TestTasks::slow, "s" + i, 50L));
        }
        tq.client.submitAll(calls);
        Worker worker = tq.startWorker();

        int peak = peakConcurrencyUntil(worker, () -> tasks.completed.get() == 200);

        assertThat(tasks.completed.get()).isEqualTo(200);
        assertThat(peak).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(tasks.maxRunning.get()).isLessThanOrEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
        assertThat(worker.info().concurrency()).isEqualTo(WorkerSettings.DEFAULT_CONCURRENCY);
    }

    @Test
    void anExplicitConcurrencyNeverMoves() {
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            calls.add(TaskCall.of(TestTasks::fireAndForget, "noop"));
        }
        tq.client.submitAll(calls);
        Worker worker = tq.startWorker(s -> s.concurrency(16));

        int peak = peakConcurrencyUntil(worker, () -> tasks.runsOf("noop") == 2_000);

        assertThat(tasks.runsOf("noop")).isEqualTo(2_000);
        assertThat(peak).isEqualTo(16);
        assertThat(worker.info().maxConcurrency()).isEqualTo(16);
    }

    /** The highest concurrency the worker had until {@code done} (read every millisecond, for at most 60 s). */
    private static int peakConcurrencyUntil(Worker worker, BooleanSupplier done) {
        int peak = worker.concurrency();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            peak = Math.max(peak, worker.concurrency());
            try {
                Thread.sleep(1);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Math.max(peak, worker.concurrency());
    }
}
