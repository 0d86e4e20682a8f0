package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.Unique;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Global rate limits, concurrency limits with leased permits, and uniqueness, across workers. */
class LimitsAndUniquenessTest {

    private final PolicyTasks tasks = new PolicyTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    @Timeout(90)
    void aRateLimitHoldsAcrossThreeWorkerProcesses() throws Exception {
        List<WorkerProcess> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                workers.add(WorkerProcess.start("rate-" + i, 8, RateTasks.class));
            }
            List<TaskCall<?>> calls = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                calls.add(TaskCall.of("rate.limited", "r" + i));
            }
            tq.client.submitAll(calls);
            // Tasks over the limit wait in Redis, not on a worker: an unlimited task gets through meanwhile.
            tq.client.submit("rate.free", "unblocked");
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.llen("rate:free") == 1);
            assertThat(redis.llen("rate:starts")).isLessThan(60);
            assertThat(redis.zcard("{taskqueue:default}:d")).as("waiting in the delayed set").isPositive();

            await().atMost(Duration.ofSeconds(30)).until(() -> redis.llen("rate:starts") == 60);
            List<Long> starts = redis.lrange("rate:starts", 0, -1).stream()
                    .map(line -> Long.parseLong(line.split(" ")[0])).sorted().toList();
            long workersUsed = redis.lrange("rate:starts", 0, -1).stream().map(line -> line.split(" ")[1])
                    .distinct().count();
            double rate = (starts.size() - 1) * 1000.0 / (starts.get(starts.size() - 1) - starts.get(0));
            System.out.printf("RATE-TEST %d starts on %d worker JVMs at %.2f/s (limit 20/s)%n", starts.size(),
                    workersUsed, rate);
            assertThat(rate).isBetween(16.0, 22.0); // at most the limit (+ clock skew); late starts only lower it
            assertThat(workersUsed).isGreaterThan(1);
        }
        finally {
            for (WorkerProcess worker : workers) {
                worker.kill();
            }
            redis.del("rate:starts", "rate:free");
        }
    }

    @Test
    void aRateLimitSpacesStartsOnOneWorker() {
        tq.startWorker(s -> s.concurrency(8));
        List<TaskHandle<?>> handles = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            handles.add(tq.client.submit(PolicyTasks::rated, "rated"));
        }
        handles.forEach(h -> h.get(Duration.ofSeconds(10)));

        List<Long> starts = tasks.startTimes.get("rated").stream().sorted().toList();
        // Never faster than the limit; a start can only be late (the way through the delayed set, a busy machine).
        assertThat(starts.get(10) - starts.get(0)).as("10 intervals of 100 ms").isBetween(900L, 2_000L);
    }

    @Test
    void aConcurrencyLimitHoldsAcrossWorkers() {
        tq.startWorker(s -> s.concurrency(4));
        tq.startWorker(s -> s.concurrency(4));
        List<TaskHandle<?>> handles = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            handles.add(tq.client.submit(PolicyTasks::limited, "c" + i));
        }
        handles.forEach(h -> h.get(Duration.ofSeconds(20)));

        assertThat(tasks.maxRunning.get()).isEqualTo(2);
    }

    @Test
    void aConcurrencyLimitPerKeyLetsOtherKeysRun() {
        tq.startWorker(s -> s.concurrency(8));
        List<TaskHandle<?>> handles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            handles.add(tq.client.submit(PolicyTasks::perCustomer, "acme", i));
            handles.add(tq.client.submit(PolicyTasks::perCustomer, "globex", i));
        }
        handles.forEach(h -> h.get(Duration.ofSeconds(20)));

        assertThat(tasks.maxRunningByKey.get("acme").get()).isEqualTo(1);
        assertThat(tasks.maxRunningByKey.get("globex").get()).isEqualTo(1);
        assertThat(tasks.maxRunning.get()).isEqualTo(2);
    }

    @Test
    void aDeadWorkersPermitComesBack() {
        // A worker takes the only permit of a key, then dies (it never heartbeats again).
        TaskHandle<String> orphan = tq.client.submit(PolicyTasks::perCustomer, "initech", 0);
        long now = System.currentTimeMillis();
        tq.broker.heartbeat(new WorkerInfo("ghost", "h", 1, List.of("default"), 1, 0, 0, 0, now, now, "RUNNING"),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        var delivery = tq.broker.claim("ghost", List.of("default"), 1).get(0);
        assertThat(tq.broker.takePermit(delivery, "policy.perCustomer:initech", 1, 3_000, 0))
                .isTrue();
        TaskHandle<String> next = tq.client.submit(PolicyTasks::perCustomer, "initech", 1);

        tq.startWorker(s -> s.livenessTimeout(Duration.ofSeconds(1)));

        assertThat(next.get(Duration.ofSeconds(15))).isEqualTo("initech1");
        assertThat(orphan.get(Duration.ofSeconds(15))).isEqualTo("initech0");
        assertThat(tasks.maxRunningByKey.get("initech").get()).isEqualTo(1);
    }

    @Test
    void aUniqueTaskIsSubmittedOnceWhileItIsQueuedOrRunning() {
        tasks.gate = new CountDownLatch(1);
        TaskHandle<String> first = tq.client.submit(PolicyTasks::uniqueOrder, "o-1", 1);
        TaskHandle<String> second = tq.client.submit(PolicyTasks::uniqueOrder, "o-1", 2);
        TaskHandle<String> other = tq.client.submit(PolicyTasks::uniqueOrder, "o-2", 1);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(other.id()).isNotEqualTo(first.id());

        tq.startWorker();
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("o-1:1") == 1);
        assertThat(tq.client.submit(PolicyTasks::uniqueOrder, "o-1", 3).id()).as("still running").isEqualTo(first.id());
        tasks.gate.countDown();
        assertThat(first.get(Duration.ofSeconds(5))).isEqualTo("o-1:1");

        TaskHandle<String> afterwards = tq.client.submit(PolicyTasks::uniqueOrder, "o-1", 4);
        assertThat(afterwards.id()).isNotEqualTo(first.id());
        assertThat(afterwards.get(Duration.ofSeconds(5))).isEqualTo("o-1:4");
        assertThat(tasks.runsOf("o-1:2") + tasks.runsOf("o-1:3")).isZero();
    }

    /** Its success is recorded nowhere, but what it held is given back with its acknowledgement. */
    @Test
    void aFireAndForgetTaskGivesBackItsPermitAndUniquenessKey() {
        tq.startWorker();
        tq.client.submit(PolicyTasks::fireAndForgetLimited, "acme", "o-1");
        tq.client.submit(PolicyTasks::fireAndForgetLimited, "acme", "o-2");

        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("acme/o-1") + tasks.runsOf("acme/o-2") == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(redis.xpending("{taskqueue:default}:s:0", "workers").getCount()).as("acknowledged").isZero();
            assertThat(redis.keys("{taskqueue:default}:u:*")).as("uniqueness keys").isEmpty();
            assertThat(redis.keys("{taskqueue:default}:c:*")).as("permits").isEmpty();
        });
        tq.client.submit(PolicyTasks::fireAndForgetLimited, "acme", "o-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("acme/o-1") == 2);
    }

    @Test
    void aUniqueWindowKeepsTheKeyAfterTheTaskFinished() throws Exception {
        tq.startWorker();
        long submitted = System.currentTimeMillis();
        TaskHandle<String> first = tq.client.submit(PolicyTasks::uniqueWindow, "w");
        first.get(Duration.ofSeconds(5));

        assertThat(System.currentTimeMillis() - submitted).as("still inside the 3 s window").isLessThan(3_000);
        assertThat(tq.client.submit(PolicyTasks::uniqueWindow, "w").id()).isEqualTo(first.id());
        Thread.sleep(Math.max(0, submitted + 3_100 - System.currentTimeMillis()));
        TaskHandle<String> later = tq.client.submit(PolicyTasks::uniqueWindow, "w");
        assertThat(later.id()).isNotEqualTo(first.id());
        later.get(Duration.ofSeconds(5));
        assertThat(tasks.runsOf("w")).isEqualTo(2);
    }

    @Test
    void aDebouncedTaskRunsOnceWithTheLatestArguments() {
        tq.startWorker();
        TaskHandle<String> a = tq.client.submit(PolicyTasks::debounced, "p-1", 1);
        TaskHandle<String> b = tq.client.submit(PolicyTasks::debounced, "p-1", 2);
        TaskHandle<String> c = tq.client.submit(PolicyTasks::debounced, "p-1", 3);

        assertThat(b.id()).isEqualTo(a.id());
        assertThat(c.id()).isEqualTo(a.id());
        assertThat(c.get(Duration.ofSeconds(5))).isEqualTo("p-1:3");
        assertThat(tasks.runsOf("p-1:1") + tasks.runsOf("p-1:2")).isZero();
        assertThat(tasks.runsOf("p-1:3")).isEqualTo(1);
    }

    @Test
    void aCallCanMakeItselfUnique() {
        TaskOptions unique = TaskOptions.defaults().unique("#key", Unique.Mode.UNTIL_FINISHED, null);
        TaskHandle<String> first = tq.client.withOptions(unique).submit(PolicyTasks::quick, "k");
        TaskHandle<String> second = tq.client.withOptions(unique).submit(PolicyTasks::quick, "k");

        assertThat(second.id()).isEqualTo(first.id());
        tq.startWorker();
        assertThat(first.get(Duration.ofSeconds(5))).isEqualTo("k");
        assertThat(tasks.runsOf("k")).isEqualTo(1);
    }
}
