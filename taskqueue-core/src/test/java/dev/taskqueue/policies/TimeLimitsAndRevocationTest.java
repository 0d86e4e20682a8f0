package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Soft and hard time limits; revocation of queued, delayed, retrying and running tasks, from any instance. */
class TimeLimitsAndRevocationTest {

    private final PolicyTasks tasks = new PolicyTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    void theSoftLimitInterruptsTheHandlerWhichCanReact() {
        tq.startWorker();
        TaskHandle<String> reacts = tq.client.submit(PolicyTasks::soft, "reacts", true);
        TaskHandle<String> ignores = tq.client.submit(PolicyTasks::soft, "ignores", false);

        assertThat(reacts.get(Duration.ofSeconds(5))).isEqualTo("cleaned up");
        assertThatThrownBy(() -> ignores.get(Duration.ofSeconds(5))).isInstanceOf(TaskFailedException.class)
                .satisfies(ex -> assertThat(((TaskFailedException) ex).getRemoteType())
                        .isEqualTo("dev.taskqueue.SoftTimeLimitExceededException"));
    }

    @Test
    void theHardLimitFailsTheTaskAndFreesItsSlotEvenIfItIgnoresInterrupts() {
        Worker worker = tq.startWorker(s -> s.concurrency(1));
        long start = System.currentTimeMillis();
        TaskHandle<String> stuck = tq.client.submit(PolicyTasks::stuck, "spinning");

        assertThatThrownBy(() -> stuck.get(Duration.ofSeconds(3))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("hard time limit of PT0.5S");
        assertThat(System.currentTimeMillis() - start).isLessThan(3_000);
        // The stuck thread still spins, but the only slot is free again.
        assertThat(tq.client.submit(PolicyTasks::quick, "next").get(Duration.ofSeconds(2))).isEqualTo("next");
        assertThat(worker.abandonedTasks()).isEqualTo(1);
    }

    @Test
    void aQueuedTaskRevokedWhileNoWorkerRunsIsNeverRun() {
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::quick, "revoked");
        assertThat(handle.revoke()).isTrue(); // recorded: it will not run (it waits in a stream, without a record)
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);

        tq.startWorker(); // a worker that was offline when the revocation was issued
        TaskHandle<String> after = tq.client.submit(PolicyTasks::quick, "after");
        assertThat(after.get(Duration.ofSeconds(5))).isEqualTo("after");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(5))).isInstanceOf(TaskRevokedException.class);
        assertThat(tasks.runsOf("revoked")).isZero();
        assertThat(tq.admin.stats("default").pending()).isZero();
    }

    @Test
    void aDelayedTaskRevokedLeavesRedisAtOnce() {
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofMinutes(5)))
                .submit(PolicyTasks::quick, "later");

        assertThat(handle.revoke()).isTrue();
        assertThat(SharedRedis.admin().sync().zcard("{taskqueue:default}:d")).isZero();
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void aRetryingTaskRevokedDoesNotRunAgain() {
        tq.startWorker();
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults()
                .retry(dev.taskqueue.RetryPolicy.maxRetries(3).withDelay(Duration.ofSeconds(2))))
                .submit(PolicyTasks::noRetryDeclared, "retrying");
        await().atMost(Duration.ofSeconds(5)).until(() -> handle.state() == TaskState.RETRY);

        assertThat(handle.revoke()).isTrue();
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
        assertThat(SharedRedis.admin().sync().zcard("{taskqueue:default}:d")).isZero();
        // Past the 2 s the retry would have waited: still the one run.
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(6))
                .until(() -> tasks.runsOf("retrying") == 1);
    }

    @Test
    void aRunningTaskRevokedWithInterruptStopsAsRevoked() {
        Map<String, TaskEventListener.Outcome> outcomes = tq.recordOutcomes();
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::gated, "running");
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);

        // Revoked from another application instance: its own stores and client on the same Redis.
        try (RedisStores stores = new RedisStores(tq.connections, "taskqueue")) {
            DefaultTaskClient other = new DefaultTaskClient(stores.broker(), stores.results(), stores.workflows(),
                    stores.admin(), new TaskRegistry(tq.mapper, "default"), tq.codec, ClientSettings.DEFAULTS,
                    TaskEventListener.of(List.of()), Clock.systemUTC());
            assertThat(other.handle(handle.id()).revoke(true)).isTrue();
        }

        // The revocation itself marks the record REVOKED at once, so the waiter may see that before the worker's own
        // verdict: the proof that the run was stopped is the worker's outcome and the gate it never passed.
        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(5))).isInstanceOf(TaskRevokedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.containsKey(handle.id()));
        assertThat(outcomes.get(handle.id())).isEqualTo(TaskEventListener.Outcome.REVOKED);
        assertThat(tasks.running.get()).isZero();
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void revokingATaskThatFinishedRecordsNothingAndSaysSo() {
        tq.startWorker(s -> s.queue("default").queue("urgent"));
        TaskHandle<String> done = tq.client.submit(PolicyTasks::quick, "done");
        tq.client.withOptions(TaskOptions.defaults().queue("urgent")).submit(PolicyTasks::quick, "elsewhere")
                .get(Duration.ofSeconds(5)); // another queue, where the task has no record
        assertThat(done.get(Duration.ofSeconds(5))).isEqualTo("done");
        TaskHandle<String> revoked = tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofMinutes(5)))
                .submit(PolicyTasks::quick, "later");
        assertThat(revoked.revoke()).isTrue();

        assertThat(done.revoke(true)).isFalse();
        assertThat(new DefaultTaskQueueOperations(tq.admin, tq.codec, tq.catalog).revoke(done.id(), true)).isFalse();
        assertThat(revoked.revoke(true)).isFalse(); // already revoked

        assertThat(done.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(tq.results.find(null, done.id()).state()).isEqualTo(TaskState.SUCCESS);
        assertThat(SharedRedis.admin().sync().exists("{taskqueue:urgent}:t:" + done.id())).isZero();
    }

    @Test
    void aRunningTaskRevokedWithoutInterruptFinishes() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::gated, "finishes");
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);

        handle.revoke(false);
        tasks.gate.countDown();

        // The revocation marks the record REVOKED at once; the run's real outcome replaces it when it arrives.
        await().atMost(Duration.ofSeconds(5)).until(() -> handle.state() == TaskState.SUCCESS);
        assertThat(handle.get(Duration.ofSeconds(5))).isEqualTo("finishes");
        assertThat(tasks.runsOf("finishes")).isEqualTo(1);
    }

    @Test
    void aRevocationRacingTheStartEitherPreventsTheRunOrLetsItFinishNeverBoth() {
        Map<String, TaskEventListener.Outcome> outcomes = tq.recordOutcomes();
        tq.startWorker(s -> s.concurrency(4));
        for (int i = 0; i < 40; i++) {
            String key = "race" + i;
            TaskHandle<String> handle = tq.client.submit(PolicyTasks::quick, key);
            handle.revoke();
            // Not the record (the revocation writes REVOKED at once): the worker's own verdict, once it had it.
            await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.containsKey(handle.id()));
            if (outcomes.get(handle.id()) == TaskEventListener.Outcome.REVOKED) {
                assertThat(handle.state()).as(key).isEqualTo(TaskState.REVOKED);
                assertThat(tasks.runsOf(key)).as(key).isZero();
            }
            else { // the verdict is told before it is acknowledged: the record says REVOKED until then
                await().atMost(Duration.ofSeconds(5)).until(() -> handle.state() == TaskState.SUCCESS);
                assertThat(tasks.runsOf(key)).as(key).isEqualTo(1);
            }
        }
    }
}
