package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery contract (README, "Delivery contract"), one test per line, against a real Redis. The kill -9
 * line has its own test with a real worker process: {@link dev.taskqueue.crash.CrashIT}.
 */
class DeliveryContractTest {

    private static final String DEFAULT = "default";

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    // 1. A submit that returned has put the task in Redis.

    @Test
    void aSubmitThatReturnedHasPutTheTaskInRedis() {
        TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "hello");

        assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(1);
        Map<String, String> fields = redis.xrange("{taskqueue:default}:s:0", io.lettuce.core.Range.create("-", "+"))
                .get(0).getBody();
        assertThat(fields).containsEntry("i", handle.id()).containsEntry("d", "0");
        assertThat(fields.get("m")).contains("\"task\":\"test.echo\"").contains("\"args\":[\"hello\"]");
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void aDelayedSubmitThatReturnedHasPutTheTaskInRedis() {
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofMinutes(5)))
                .submit(TestTasks::echo, "later");

        assertThat(redis.zscore("{taskqueue:default}:d", handle.id())).isNotNull();
        assertThat(redis.hget("{taskqueue:default}:dp", handle.id())).startsWith("0{");
        assertThat(handle.state()).isEqualTo(TaskState.SCHEDULED);
    }

    // 2. At least once: a task leaves Redis only after its handler finished and its outcome was recorded, in one
    //    atomic step.

    @Test
    void aTaskLeavesRedisOnlyOnceItsOutcomeIsRecorded() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(TestTasks::gated, "held");
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.running.get() == 1);

        // Running: still in Redis, held by the worker, and STARTED.
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(1);
        assertThat(tq.admin.stats(DEFAULT).active()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> handle.state() == TaskState.STARTED);

        // Watch the entry and the record together: whenever the entry is gone, the outcome is there.
        List<String> statesSeenWhenGone = new ArrayList<>();
        Thread watcher = new Thread(() -> {
            long deadline = System.currentTimeMillis() + 5_000;
            try (var connection = SharedRedis.client().connect()) {
                while (System.currentTimeMillis() < deadline) {
                    List<Object> both = connection.sync().eval(
                            "return { redis.call('XLEN', KEYS[1]), redis.call('HGET', KEYS[2], 'state') }",
                            io.lettuce.core.ScriptOutputType.MULTI, "{taskqueue:default}:s:0",
                            "{taskqueue:default}:t:" + handle.id());
                    if ((Long) both.get(0) == 0) {
                        statesSeenWhenGone.add(String.valueOf(both.get(1)));
                        return;
                    }
                }
            }
        });
        watcher.start();
        tasks.gate.countDown();

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("held");
        await().atMost(Duration.ofSeconds(6)).until(() -> !watcher.isAlive());
        assertThat(statesSeenWhenGone).containsExactly("SUCCESS");
        assertThat(redis.xpending("{taskqueue:default}:s:0", "workers").getCount()).isZero();
    }

    @Test
    void acknowledgedEntriesLeaveTheStreamWhateverOrderTasksFinishIn() {
        List<TaskHandle<String>> handles = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            handles.add(tq.client.submit(TestTasks::echo, "t" + i));
        }
        List<String> entries = redis.xrange("{taskqueue:default}:s:0", io.lettuce.core.Range.create("-", "+"))
                .stream().map(io.lettuce.core.StreamMessage::getId).toList();
        tq.broker.heartbeat(ghost("w"), Duration.ofSeconds(30), Duration.ofSeconds(30));
        List<Delivery> claimed = tq.broker.claim("w", List.of(DEFAULT), 5);
        assertThat(claimed).extracting(Delivery::entryId).containsExactlyElementsOf(entries.subList(0, 5));

        // The first and fourth still run: what finished after them goes, they and the unclaimed one stay. Stored
        // outcomes (one script per task) and fire-and-forget ones (acknowledged in bulk), given out of order.
        assertThat(tq.broker.acknowledge("w", List.of(stored(claimed.get(2)), plain(claimed.get(4)),
                stored(claimed.get(1))))).containsExactly(true, true, true);
        assertThat(streamEntries()).containsExactly(entries.get(0), entries.get(3), entries.get(5));

        assertThat(tq.broker.acknowledge("w", List.of(plain(claimed.get(3))))).containsExactly(true);
        assertThat(streamEntries()).containsExactly(entries.get(0), entries.get(5));

        // The oldest finishes last: nothing is pending any more, the unclaimed entry after them stays.
        assertThat(tq.broker.acknowledge("w", List.of(stored(claimed.get(0))))).containsExactly(true);
        assertThat(streamEntries()).containsExactly(entries.get(5));
        assertThat(handles.get(0).get(Duration.ofSeconds(1))).isEqualTo("done");

        Delivery last = tq.broker.claim("w", List.of(DEFAULT), 5).get(0);
        assertThat(tq.broker.acknowledge("w", List.of(plain(last)))).containsExactly(true);
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isZero();
        assertThat(redis.xpending("{taskqueue:default}:s:0", "workers").getCount()).isZero();
    }

    private List<String> streamEntries() {
        return redis.xrange("{taskqueue:default}:s:0", io.lettuce.core.Range.create("-", "+")).stream()
                .map(io.lettuce.core.StreamMessage::getId).toList();
    }

    private static Outcome stored(Delivery delivery) {
        return Outcome.succeeded(delivery, "\"done\"")
                .task("test.echo", 1).record(true, 60_000).build();
    }

    private static Outcome plain(Delivery delivery) {
        return Outcome.succeeded(delivery, null).task("test.echo", 1).record(false, 0).build();
    }

    // 3. A dead worker's tasks run again within seconds; a hung worker's after the visibility timeout; long tasks
    //    keep their lease by heartbeat.

    @Test
    void aDeadWorkersTasksRunAgainWithinSeconds() {
        List<TaskHandle<String>> handles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            handles.add(tq.client.submit(TestTasks::echo, "orphan-" + i));
        }
        tq.broker.heartbeat(ghost("ghost"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(tq.broker.claim("ghost", List.of(DEFAULT), 10)).hasSize(3);
        long died = System.currentTimeMillis(); // the ghost never heartbeats again

        tq.startWorker(s -> s.livenessTimeout(Duration.ofSeconds(1)));

        for (TaskHandle<String> handle : handles) {
            handle.get(Duration.ofSeconds(10));
        }
        long recoveredAfter = System.currentTimeMillis() - died;
        assertThat(recoveredAfter).isLessThan(10_000);
        for (int i = 0; i < 3; i++) {
            assertThat(tasks.runsOf("orphan-" + i)).isEqualTo(1);
        }
        assertThat(redis.zscore("{taskqueue}:workers", "ghost")).isNull();
    }

    @Test
    void aHungButAliveWorkersTasksComeBackAfterTheVisibilityTimeout() throws Exception {
        TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "stuck");
        tq.broker.heartbeat(ghost("hung"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(tq.broker.claim("hung", List.of(DEFAULT), 1)).hasSize(1);
        // The hung worker keeps heartbeating: it is alive, it just never finishes (nor extends) the task.
        Thread alive = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    tq.broker.heartbeat(ghost("hung"), Duration.ofSeconds(1), Duration.ofSeconds(1));
                    Thread.sleep(100);
                }
                catch (InterruptedException | RuntimeException ex) {
                    return;
                }
            }
        });
        alive.start();
        try {
            long claimed = System.currentTimeMillis();
            tq.startWorker(s -> s.visibilityTimeout(Duration.ofMillis(1500)));
            assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("stuck");
            assertThat(System.currentTimeMillis() - claimed).isGreaterThanOrEqualTo(1500);
            assertThat(tasks.runsOf("stuck")).isEqualTo(1);
        }
        finally {
            alive.interrupt();
            alive.join();
        }
    }

    @Test
    void longTasksKeepTheirLeaseByHeartbeat() {
        AtomicInteger refused = new AtomicInteger();
        tq.listeners.add(new TaskEventListener() {
            @Override
            public void outcomeRefused(String taskId, @Nullable String taskName, String queue) {
                refused.incrementAndGet();
            }
        });
        tq.startWorker(s -> s.visibilityTimeout(Duration.ofSeconds(2)));
        TaskHandle<String> handle = tq.client.submit(TestTasks::slow, "long", 5_000L);

        assertThat(handle.get(Duration.ofSeconds(15))).isEqualTo("long");
        assertThat(tasks.runsOf("long")).isEqualTo(1);
        assertThat(refused).hasValue(0);
    }

    @Test
    void aJanitorNeverFindsItsOwnWorkerDead() throws Exception {
        tq.client.submit(TestTasks::echo, "mine");
        tq.broker.heartbeat(ghost("paused-jvm"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(tq.broker.claim("paused-jvm", List.of(DEFAULT), 1)).hasSize(1);
        Thread.sleep(120); // its process stalls: its heartbeat is late when its own janitor wakes

        var own = tq.broker.recover(new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1), "paused-jvm"));
        assertThat(own.deadWorkers()).isEmpty();
        assertThat(own.redelivered()).isZero();

        var others = tq.broker.recover(new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1)));
        assertThat(others.deadWorkers()).containsExactly("paused-jvm");
        assertThat(others.redelivered()).isEqualTo(1);
    }

    @Test
    void aJanitorWhoseOwnHeartbeatIsAsLateAsADeadWorkersJudgesNoOneUntilItBeatsAgain() throws Exception {
        // Its process froze (through an outage) after its janitor found its heartbeats sound, and wakes before any
        // heartbeat since: its live peer's last heartbeat is as old as its own.
        tq.client.submit(TestTasks::echo, "the peer's");
        tq.broker.heartbeat(ghost("peer"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        tq.broker.heartbeat(ghost("frozen"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(tq.broker.claim("peer", List.of(DEFAULT), 1)).hasSize(1);
        Thread.sleep(120);
        RecoveryPolicy frozensJanitor = new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1), "frozen");

        var woken = tq.broker.recover(frozensJanitor);
        assertThat(woken.deadWorkers()).isEmpty();
        assertThat(woken.redelivered()).isZero();

        tq.broker.heartbeat(ghost("frozen"), Duration.ofSeconds(1), Duration.ofSeconds(1)); // its own proof of life
        var afterItsHeartbeat = tq.broker.recover(frozensJanitor);
        assertThat(afterItsHeartbeat.deadWorkers()).containsExactly("peer");
        assertThat(afterItsHeartbeat.redelivered()).isEqualTo(1);
    }

    // 4. A task whose workers keep dying goes to the dead letters after maxDeliveries.

    @Test
    void aPoisonPillGoesToTheDeadLettersAfterMaxDeliveries() throws Exception {
        List<TaskEventListener.Execution> finished = new CopyOnWriteArrayList<>();
        tq.listeners.add(new TaskEventListener() {
            @Override
            public void finished(Execution execution) {
                finished.add(execution);
            }
        });
        TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "poison");
        RecoveryPolicy policy = new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1));
        for (int death = 1; death <= 3; death++) {
            String worker = "doomed-" + death;
            tq.broker.heartbeat(ghost(worker), Duration.ofSeconds(1), Duration.ofSeconds(1));
            List<Delivery> claimed = tq.broker.claim(worker, List.of(DEFAULT), 1);
            assertThat(claimed).hasSize(1);
            assertThat(claimed.get(0).deliveries()).isEqualTo(death - 1);
            Thread.sleep(120); // it dies: no heartbeat for longer than the liveness timeout
            var recovery = tq.broker.recover(policy);
            assertThat(recovery.deadWorkers()).containsExactly(worker);
            assertThat(recovery.redelivered()).isEqualTo(1);
        }

        // Delivered 3 times without an outcome: the next worker fails it without running it.
        tq.startWorker(s -> s.maxDeliveries(3));
        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("WorkerLostException").hasMessageContaining("poison pill");
        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(tq.admin.stats(DEFAULT).pending()).isZero();
        var dead = redis.xrange("{taskqueue:default}:dead", io.lettuce.core.Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getBody()).containsEntry("i", handle.id()).containsEntry("deliveries", "4") // 3 lost
                .containsEntry("task", "test.echo");
        assertThat(dead.get(0).getBody().get("reason")).contains("poison pill");
        await().atMost(Duration.ofSeconds(5)).until(() -> finished.stream()
                .anyMatch(e -> e.taskId().equals(handle.id())));
        assertThat(finished).filteredOn(e -> e.taskId().equals(handle.id()))
                .extracting(TaskEventListener.Execution::outcome).containsExactly(TaskEventListener.Outcome.FAILURE);
        assertThat(tq.client.submit(TestTasks::echo, "after").get(Duration.ofSeconds(5))).isEqualTo("after");
        assertThat(tasks.runsOf("poison")).isZero();
    }

    // 5. Delayed tasks live in Redis, never in worker memory, and start after their due time.

    @Test
    void delayedTasksLiveInRedisAndStartAfterTheirDueTime() {
        long submitted = System.currentTimeMillis();
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults().countdown(Duration.ofMillis(700)))
                .submit(TestTasks::echo, "delayed");

        assertThat(redis.zcard("{taskqueue:default}:d")).isEqualTo(1);
        tq.startWorker();
        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("delayed");
        assertThat(tasks.startedAt.get("delayed") - submitted).isGreaterThanOrEqualTo(700);
        assertThat(redis.exists("{taskqueue:default}:d", "{taskqueue:default}:dp")).isZero();
    }

    @Test
    void anEtaInThePastRunsAtOnce() {
        tq.startWorker();
        TaskHandle<String> handle = tq.client.withOptions(TaskOptions.defaults()
                .eta(java.time.Instant.now().minusSeconds(60))).submit(TestTasks::echo, "overdue");

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("overdue");
    }

    // 6. One outcome per task: a late ack from a worker that lost its lease is refused.

    @Test
    void aLateAckFromAWorkerThatLostItsLeaseIsRefused() throws Exception {
        TaskHandle<Object> handle = tq.client.submit("test.echo", "contested");
        Delivery first = claimedThenTakenBack("slow");

        tq.broker.heartbeat(ghost("fast"), Duration.ofSeconds(1), Duration.ofSeconds(1));
        Delivery second = tq.broker.claim("fast", List.of(DEFAULT), 1).get(0);
        assertThat(second.taskId()).isEqualTo(first.taskId());
        assertThat(second.stream()).isEqualTo("r");
        assertThat(second.deliveries()).isEqualTo(1);

        assertThat(tq.broker.acknowledge("fast", List.of(Outcome.succeeded(second, "\"from fast\"")
                .task("test.echo", 1).record(true, 60_000).build()))).containsExactly(true);
        assertThat(tq.broker.acknowledge("slow", List.of(Outcome.succeeded(first, "\"from slow\"")
                .task("test.echo", 1).record(true, 60_000).build()))).containsExactly(false);
        assertThat(handle.get(Duration.ofSeconds(1))).isEqualTo("from fast");
        assertThat(handle.info().worker()).isEqualTo("fast");
    }

    @Test
    void aBatchRecordsTheOutcomesItsWorkerStillHoldsAndRefusesTheOthers() throws Exception {
        TaskHandle<Object> lost = tq.client.submit("test.echo", "lost");
        Delivery taken = claimedThenTakenBack("slow");
        TaskHandle<Object> kept = tq.client.submit("test.echo", "kept");
        tq.broker.heartbeat(ghost("slow"), Duration.ofSeconds(30), Duration.ofSeconds(30));
        Delivery held = tq.broker.claim("slow", List.of(DEFAULT), 2).stream()
                .filter(d -> d.taskId().equals(kept.id())).findFirst().orElseThrow();
        assertThat(held.stream()).isEqualTo(taken.stream());

        assertThat(tq.broker.acknowledge("slow", List.of(Outcome.succeeded(taken, "\"from slow\"")
                .task("test.echo", 1).record(true, 60_000).build(), Outcome.succeeded(held, "\"kept\"")
                .task("test.echo", 1).record(true, 60_000).build()))).containsExactly(false, true);
        assertThat(kept.get(Duration.ofSeconds(1))).isEqualTo("kept");
        assertThat(lost.state()).isNotEqualTo(TaskState.SUCCESS);
        assertThat(streamEntries()).isEmpty();
    }

    /** The task {@code worker} claims, then seems dead long enough for recovery to take it back. */
    private Delivery claimedThenTakenBack(String worker) throws InterruptedException {
        tq.broker.heartbeat(ghost(worker), Duration.ofSeconds(1), Duration.ofSeconds(1));
        Delivery claimed = tq.broker.claim(worker, List.of(DEFAULT), 1).get(0);
        Thread.sleep(120);
        tq.broker.recover(new RecoveryPolicy(Duration.ofMillis(50), Duration.ofHours(1)));
        return claimed;
    }

    // 7. Every key we create expires or is bounded.

    @Test
    void everyKeyExpiresOrIsBounded() {
        tq.close();
        try (TaskQueueFixture bounded = new TaskQueueFixture(tasks)) {
            RedisStores smallDeadLetters = new RedisStores(bounded.connections, TaskQueueFixture.PREFIX,
                    RedisStores.Options.DEFAULTS.withDeadLetters(new RedisStores.DeadLetterPolicy(20,
                            Duration.ofDays(1))));
            var worker = new dev.taskqueue.worker.Worker(smallDeadLetters.broker(), smallDeadLetters.workflows(),
                    bounded.registry, bounded.codec,
                    TaskQueueFixture.fastSettings().queue(DEFAULT).queue("images").build(), bounded.event(),
                    java.time.Clock.systemUTC());
            worker.start();
            try {
                List<TaskHandle<?>> handles = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    handles.add(bounded.client.submit(TestTasks::fail, "f" + i));
                }
                handles.add(bounded.client.submit(TestTasks::thumbnail, "img", 10));
                bounded.client.submit(TestTasks::fireAndForget, "ff");
                handles.add(bounded.client.withOptions(TaskOptions.defaults().taskId("mine"))
                        .submit(TestTasks::echo, "x"));
                handles.add(bounded.client.withOptions(TaskOptions.defaults().taskId("mine"))
                        .submit(TestTasks::echo, "x"));
                handles.add(bounded.client.withOptions(TaskOptions.defaults().countdown(Duration.ofMillis(200)))
                        .submit(TestTasks::echo, "d"));
                handles.add(bounded.foreignClient().submit("no.such.task"));
                for (TaskHandle<?> handle : handles) {
                    try {
                        handle.get(Duration.ofSeconds(20));
                    }
                    catch (TaskFailedException expected) {
                        // failures are part of the mix
                    }
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("ff") == 1
                        && smallDeadLetters.admin().stats(DEFAULT).active() == 0);
            }
            finally {
                worker.stop();
                smallDeadLetters.close();
            }
            List<String> unbounded = new ArrayList<>();
            ScanIterator<String> keys = ScanIterator.scan(redis, ScanArgs.Builder.limit(500));
            while (keys.hasNext()) {
                String key = keys.next();
                if (redis.pttl(key) > 0) {
                    continue;
                }
                String type = redis.type(key);
                boolean limited = switch (type) {
                    case "stream" -> key.endsWith(":dead") ? redis.xlen(key) <= 20 + 100 : redis.xlen(key) == 0;
                    case "zset" -> key.equals("{taskqueue}:workers") && redis.zcard(key) == 0
                            || key.equals("{taskqueue}:queue-use") && redis.zcard(key) <= 2; // forgotten when unused
                    case "set" -> key.equals("{taskqueue}:queues") && redis.scard(key) <= 2;
                    default -> false;
                };
                if (!limited) {
                    unbounded.add(key + " (" + type + ")");
                }
            }
            assertThat(unbounded).isEmpty();
            assertThat(redis.xlen("{taskqueue:default}:dead")).isLessThan(301);
            assertThat(redis.pttl("{taskqueue:default}:t:mine")).isPositive();
        }
    }

    private static WorkerInfo ghost(String id) {
        long now = System.currentTimeMillis();
        return new WorkerInfo(id, "nowhere", 1, List.of(DEFAULT), 1, 0, 0, 0, now, now, "RUNNING");
    }
}
