package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.taskqueue.DeadLetter;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retries wait in Redis with backoff; final failures go to the dead letters, which operators can act on. */
class RetriesAndDeadLettersTest {

    private final PolicyTasks tasks = new PolicyTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final TaskQueueOperations operations = new DefaultTaskQueueOperations(tq.admin, tq.codec,
            tq.catalog);

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    void aFailingTaskIsRetriedWithBackoffAndShowsRetryWhileItWaits() {
        Instant submitted = Instant.now();
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::flaky, "f", 2);

        // Caught while a backoff waits (150 ms, then 300 ms): the record says RETRY and the task is in Redis's
        // delayed set, read in that order so that both describe the same wait.
        TaskInfo waiting = await().atMost(Duration.ofSeconds(5)).until(() -> {
            TaskInfo info = handle.info();
            boolean delayedInRedis = SharedRedis.admin().sync().zscore("{taskqueue:default}:d", handle.id()) != null;
            return info.state() == TaskState.RETRY && delayedInRedis ? info : null;
        }, java.util.Objects::nonNull);
        assertThat(waiting.attempt()).isBetween(1, 2);
        // The first backoff is 150 ms after the failure, which came after the submit (same machine's clock).
        assertThat(waiting.nextRunAt()).isAfterOrEqualTo(submitted.plusMillis(150));
        assertThat(waiting.error().message()).isEqualTo("attempt " + waiting.attempt() + " of f fails");

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("f after 3");
        TaskInfo succeeded = handle.info();
        assertThat(succeeded.attempt()).isEqualTo(3);
        assertThat(succeeded.error()).isNull(); // the success replaced the last attempt's error
        assertThat(succeeded.nextRunAt()).isNull();
        assertThat(succeeded.submittedAt()).isBetween(submitted.minusMillis(1), waiting.nextRunAt());
        List<Long> starts = tasks.startTimes.get("f");
        assertThat(starts.get(1) - starts.get(0)).isGreaterThanOrEqualTo(150);
        assertThat(starts.get(2) - starts.get(1)).isGreaterThanOrEqualTo(300); // delay x multiplier
    }

    @Test
    void onlyTheIncludedExceptionsAreRetried() {
        tq.startWorker();
        TaskHandle<String> io = tq.client.submit(PolicyTasks::io, "io", true);
        TaskHandle<String> bad = tq.client.submit(PolicyTasks::io, "bad", false);

        assertThatThrownBy(() -> io.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("IOException");
        assertThat(tasks.runsOf("io")).isEqualTo(4); // the first attempt and 3 retries
        assertThatThrownBy(() -> bad.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("IllegalArgumentException");
        assertThat(tasks.runsOf("bad")).isEqualTo(1);
    }

    @Test
    void theLastFailureGoesToTheDeadLettersWithItsErrorAndAttempts() {
        Instant submitted = Instant.now().minusMillis(1); // Redis and this JVM share a clock to the millisecond
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::alwaysFails, "doomed");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class);
        List<DeadLetter> dead = operations.deadLetters("default", null, 10);
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.taskId()).isEqualTo(handle.id());
        assertThat(letter.taskName()).isEqualTo("policy.alwaysFails");
        assertThat(letter.attempt()).isEqualTo(3);
        assertThat(letter.deliveries()).isEqualTo(1); // its last attempt was delivered once, and failed
        assertThat(letter.errorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(letter.errorMessage()).isEqualTo("always");
        assertThat(letter.stackTrace()).contains("PolicyTasks.alwaysFails");
        assertThat(letter.reason()).contains("failed after 3 attempt(s)");
        assertThat(letter.failedAt()).isBetween(submitted, Instant.now());
    }

    @Test
    void aCallCanSetItsOwnRetryPolicy() {
        tq.startWorker();
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults()
                .retry(RetryPolicy.maxRetries(2).withDelay(Duration.ofMillis(50)))).submit(PolicyTasks::noRetryDeclared,
                        "called");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class);
        assertThat(tasks.runsOf("called")).isEqualTo(3);
    }

    @Test
    void theApplicationDefaultAppliesWhenNeitherCallNorTaskSetsOne() {
        tq.startWorker(s -> s.defaultPolicies(TaskPolicies.NONE.withRetry(RetryPolicy.maxRetries(1)
                .withDelay(Duration.ofMillis(50)))));
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::noRetryDeclared, "defaulted");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class);
        assertThat(tasks.runsOf("defaulted")).isEqualTo(2);
    }

    @Test
    void aTaskCanAskForARetryItself() {
        tq.startWorker();

        assertThat(tq.client.submit(PolicyTasks::requestsRetry, "self").get(Duration.ofSeconds(10)))
                .isEqualTo("attempt 2");
    }

    @Test
    void aRetryFromAWorkerThatLostItsLeaseIsRefused() throws Exception {
        TaskHandle<String> handle = tq.client.submit(PolicyTasks::quick, "contested");
        long now = System.currentTimeMillis();
        tq.broker.heartbeat(new WorkerInfo("dying", "h", 1, List.of("default"), 1, 0, 0, 0, now, now, "RUNNING"),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        Delivery lost = tq.broker.claim("dying", List.of("default"), 1).get(0);
        Thread.sleep(120);
        tq.broker.recover(new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1)));

        // The dying worker's retry arrives after its task was taken back: refused, nothing is scheduled.
        Outcome lateRetry = Outcome.retry(lost, new dev.taskqueue.TaskError("x", "late", null, true),
                new Outcome.Retry(lost.body(), 0, 10)).task("policy.quick", 1).record(true, 60_000).build();
        assertThat(tq.broker.acknowledge("dying", List.of(lateRetry))).containsExactly(false);
        assertThat(SharedRedis.admin().sync().zcard("{taskqueue:default}:d")).isZero();

        tq.startWorker();
        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("contested");
        assertThat(tasks.runsOf("contested")).isEqualTo(1);
    }

    @Test
    void deadLettersCanBeListedInPagesRequeuedAndDeleted() {
        tq.startWorker();
        for (int i = 0; i < 5; i++) {
            TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults()
                    .retry(RetryPolicy.maxRetries(0))).submit(PolicyTasks::flaky, "dl" + i, 1);
            assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class);
        }
        List<DeadLetter> first = operations.deadLetters("default", null, 2);
        List<DeadLetter> second = operations.deadLetters("default", first.get(1).id(), 2);
        List<DeadLetter> third = operations.deadLetters("default", second.get(1).id(), 2);
        assertThat(first).extracting(d -> d.message()).satisfiesExactly(m -> assertThat(m).contains("\"dl4\""),
                m -> assertThat(m).contains("\"dl3\"")); // newest first
        assertThat(second).extracting(d -> d.message()).satisfiesExactly(m -> assertThat(m).contains("\"dl2\""),
                m -> assertThat(m).contains("\"dl1\""));
        assertThat(third).hasSize(1);
        assertThat(third.get(0).message()).contains("\"dl0\"");

        // Requeued as a fresh first attempt: flaky("dl0", 1) failed once, now it succeeds.
        assertThat(operations.requeueDeadLetter("default", third.get(0).id())).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.runsOf("dl0") == 2);
        assertThat(tq.client.handle(third.get(0).taskId(), String.class).get(Duration.ofSeconds(10)))
                .isEqualTo("dl0 after 2");
        assertThat(operations.requeueDeadLetter("default", third.get(0).id())).isFalse();

        assertThat(operations.deleteDeadLetter("default", first.get(0).id())).isTrue();
        assertThat(operations.requeueDeadLetters("default")).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.runsOf("dl1") == 2 && tasks.runsOf("dl2") == 2
                && tasks.runsOf("dl3") + tasks.runsOf("dl4") == 3);
        // Once their outcomes are recorded (a failure would be a dead letter again): none failed.
        await().atMost(Duration.ofSeconds(10)).until(() -> tq.admin.stats("default").active() == 0
                && tq.admin.stats("default").pending() == 0 && tq.admin.stats("default").scheduled() == 0);
        assertThat(operations.deadLetters("default", null, 10)).isEmpty();
    }

    /** Requeued tasks that fail again become new dead letters: "all" means those there when asked, once each. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void requeueingAndDeletingEveryDeadLetterTakeThoseThereNotTheOnesTheyCause() {
        tq.startWorker();
        for (int i = 0; i < 3; i++) {
            tq.client.withOptions(TaskOptions.defaults().retry(RetryPolicy.maxRetries(0)))
                    .submit(PolicyTasks::alwaysFails, "again" + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> operations.deadLetters("default", null, 10).size() == 3);

        assertThat(operations.requeueDeadLetters("default")).isEqualTo(3);

        // The three ran again and failed again: three new dead letters in place of the three requeued.
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.runsOf("again0") + tasks.runsOf("again1")
                + tasks.runsOf("again2") == 6 && operations.deadLetters("default", null, 10).size() == 3);
        assertThat(tasks.runsOf("again0") + tasks.runsOf("again1") + tasks.runsOf("again2")).isEqualTo(6);
        assertThat(operations.deleteDeadLetters("default")).isEqualTo(3);
        assertThat(operations.deadLetters("default", null, 10)).isEmpty();
    }

    @Test
    void deadLettersOlderThanTheirMaximumAgeAreRemoved() throws Exception {
        RedisStores stores = new RedisStores(tq.connections, TaskQueueFixture.PREFIX, RedisStores.Options.DEFAULTS
                .withDeadLetters(new RedisStores.DeadLetterPolicy(1_000, Duration.ofMillis(400))));
        Worker worker = new Worker(stores.broker(), stores.workflows(), tq.registry, tq.codec,
                TaskQueueFixture.fastSettings().build(), tq.event(), java.time.Clock.systemUTC());
        worker.start();
        try {
            TaskHandle<String> old = tq.client.submit(PolicyTasks::noRetryDeclared, "old");
            assertThatThrownBy(() -> old.get(Duration.ofSeconds(5))).isInstanceOf(TaskFailedException.class);
            Thread.sleep(600);
            TaskHandle<String> fresh = tq.client.submit(PolicyTasks::noRetryDeclared, "fresh");
            assertThatThrownBy(() -> fresh.get(Duration.ofSeconds(5))).isInstanceOf(TaskFailedException.class);

            assertThat(operations.deadLetters("default", null, 10)).extracting(DeadLetter::taskId)
                    .containsExactly(fresh.id());
        }
        finally {
            worker.stop();
            stores.close();
        }
    }

    @Test
    void retryBackoffGrowsAndIsCapped() {
        RetryPolicy policy = RetryPolicy.maxRetries(10).withDelay(Duration.ofSeconds(1)).withMultiplier(2)
                .withMaxDelay(Duration.ofSeconds(5)).withJitter(Duration.ofMillis(100));

        assertThat(policy.delayBefore(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayBefore(3, 0.5)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayBefore(8, 0.5)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.delayBefore(1, 0.0)).isEqualTo(Duration.ofMillis(900));
        assertThat(policy.delayBefore(1, 0.999)).isBetween(Duration.ofMillis(1099), Duration.ofMillis(1100));
        assertThat(policy.retries(new IllegalStateException(), 10)).isTrue();
        assertThat(policy.retries(new IllegalStateException(), 11)).isFalse();
    }
}
