package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A revocation announced while a worker cannot hear it (its notification connection cut, and Redis refusing the new
 * one) still reaches the running task: the worker reads the revocation from Redis at its next heartbeat. A Redis of
 * the test's own, whose connection limit it lowers.
 */
class UnheardRevocationTest {

    private final PolicyTasks tasks = new PolicyTasks();
    private Map<String, TaskEventListener.Outcome> outcomes;
    private LocalRedisServer server;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> admin;
    private TaskQueueFixture tq;

    @BeforeEach
    void start() {
        server = LocalRedisServer.start();
        adminClient = RedisClient.create(server.uri());
        admin = adminClient.connect();
        tq = new TaskQueueFixture(RedisConnections.create(server.uri()), SubmitRetry.NEVER, tasks);
        outcomes = tq.recordOutcomes();
        tasks.gate = new CountDownLatch(1);
        tq.startWorker();
    }

    @AfterEach
    void stop() {
        tasks.gate.countDown();
        admin.sync().configSet("maxclients", "10000");
        tq.close();
        admin.close();
        adminClient.shutdown();
        server.close();
    }

    @Test
    void aRevocationWithInterruptAnnouncedWhileTheWorkerIsDeafStillStopsTheRunningTask() {
        TaskHandle<String> handle = running(tq.client.submit(PolicyTasks::gated, "unheard"));

        makeTheWorkerDeaf();
        assertThat(handle.revoke(true)).isTrue(); // announced to no one

        // Not the record (the revocation writes REVOKED at once): the worker's own verdict, and the gate not passed.
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.containsKey(handle.id()));
        assertThat(outcomes.get(handle.id())).isEqualTo(TaskEventListener.Outcome.REVOKED);
        assertThat(tasks.running.get()).isZero();
        assertThat(tasks.runsOf("unheard")).isEqualTo(1); // started once, and stopped at the gate: no second run
    }

    @Test
    void anUnheardRevocationWithoutInterruptMarksTheTaskWhichFinishes() {
        TaskHandle<String> handle = running(tq.client.submit(PolicyTasks::watchesRevocation, "marked"));

        makeTheWorkerDeaf();
        assertThat(handle.revoke(false)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.revokedSeen.contains("marked"));

        tasks.gate.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.containsKey(handle.id()));
        assertThat(outcomes.get(handle.id())).isEqualTo(TaskEventListener.Outcome.SUCCESS);
        assertThat(tasks.runsOf("marked")).isEqualTo(1);
    }

    @Test
    void anInterruptAskedUnheardOfATaskRevokedBeforeStillStopsIt() {
        TaskHandle<String> handle = running(tq.client.submit(PolicyTasks::watchesRevocation, "later"));
        assertThat(handle.revoke(false)).isTrue(); // heard: the task is marked, and runs on
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.revokedSeen.contains("later"));

        makeTheWorkerDeaf();
        assertThat(handle.revoke(true)).isFalse(); // nothing new to record, but the interrupt is remembered

        await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.containsKey(handle.id()));
        assertThat(outcomes.get(handle.id())).isEqualTo(TaskEventListener.Outcome.REVOKED);
        assertThat(tasks.running.get()).isZero();
    }

    /** The task once it runs. */
    private TaskHandle<String> running(TaskHandle<String> handle) {
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.running.get() == 1);
        return handle;
    }

    /**
     * Cuts the worker's publish/subscribe connection and keeps it from coming back: Redis takes no new connection
     * (its limit lowered to those open), while the ones open (the worker's commands, this test's) go on.
     */
    private void makeTheWorkerDeaf() {
        long open = admin.sync().clientList().lines().filter(line -> !line.isBlank()).count();
        admin.sync().configSet("maxclients", Long.toString(open - 1));
        assertThat(admin.sync().clientKill(KillArgs.Builder.typePubsub())).isPositive();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> admin.sync().pubsubNumsub("taskqueue:revoke").values().stream().allMatch(n -> n == 0));
    }
}
