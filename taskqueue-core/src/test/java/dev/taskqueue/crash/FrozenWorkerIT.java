package dev.taskqueue.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.WorkerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults that cost extra runs unless the engine takes care: a worker frozen (SIGSTOP) through a Redis outage, a
 * worker that wakes holding claims that were taken over meanwhile, a worker that dies just before an outage. Real
 * worker JVMs (production defaults: heartbeat 1 s, liveness 5 s), a real Redis stopped and restarted with its
 * append-only file, as in production.
 */
class FrozenWorkerIT {

    private LocalRedisServer server;
    private RedisClient client;
    private TaskQueueFixture tq;
    private final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeEach
    void start() {
        server = LocalRedisServer.start(List.of("--appendonly", "yes", "--appendfsync", "always"));
        RedisURI uri = server.uri();
        uri.setTimeout(Duration.ofSeconds(3));
        client = RedisClient.create(uri);
        tq = new TaskQueueFixture(RedisConnections.using(client, "127.0.0.1:" + server.port()), SubmitRetry.DEFAULT);
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (WorkerProcess worker : workers) {
            worker.kill();
        }
        tq.close();
        client.shutdown();
        server.close();
    }

    private WorkerProcess worker(String id, String... settings) throws Exception {
        WorkerProcess worker = WorkerProcess.start(server.port(), id, 8, CrashTasks.class, settings);
        workers.add(worker);
        return worker;
    }

    /** Reads Redis on a connection of its own (the shared ones may be reconnecting after a restart). */
    private <T> T read(Function<RedisCommands<String, String>, T> query) {
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return query.apply(connection.sync());
        }
    }

    private long starts(String key) {
        String value = read(redis -> redis.hget("crash:starts", key));
        return value == null ? 0 : Long.parseLong(value);
    }

    private long completions(String key) {
        String value = read(redis -> redis.hget("crash:completions", key));
        return value == null ? 0 : Long.parseLong(value);
    }

    /**
     * The bug: a worker frozen through an outage woke 0.1 s after Redis came back, before its live peers' heartbeats
     * did, declared them dead and ran their tasks again. Its heartbeats never failed (it was frozen), so its janitor
     * trusted a proof of life that had a 15 s hole in it.
     */
    @Test
    void aWorkerFrozenThroughAnOutageDoesNotBuryItsLivePeersWhenItWakes() throws Exception {
        // The peer's heartbeats come back up to 2 s after Redis does (so that, without the fix, the sleeper always
        // wins the race); a liveness timeout of 8 s leaves a loaded machine room to prove the peer alive.
        worker("peer", "heartbeat-interval=2s", "liveness-timeout=8s");
        TaskHandle<Object> running = tq.client.submit("crash.work", "long", 25_000L);
        await().atMost(Duration.ofSeconds(10)).until(() -> starts("long") == 1);
        WorkerProcess sleeper = worker("sleeper", "janitor-interval=100ms", "liveness-timeout=8s");
        Thread.sleep(9_000); // its janitor has trusted its heartbeats for a whole liveness timeout

        sleeper.pause();
        server.stop();
        Thread.sleep(11_000); // longer than the liveness timeout
        server.restart();
        sleeper.resume();

        assertThat(running.get(Duration.ofSeconds(40))).isEqualTo("long");
        assertThat(completions("long")).isEqualTo(1);
        assertThat(starts("long")).as("the peer's task was taken from it and run again").isEqualTo(1);
    }

    /**
     * The bug: a worker frozen inside its blocking read woke with tasks Redis had handed it meanwhile, which another
     * worker had taken over (it seemed dead) and run; it ran them again.
     */
    @Test
    void aWokenWorkerDoesNotStartTasksItLostWhileFrozen() throws Exception {
        WorkerProcess sleeper = worker("sleeper", "poll-timeout=30s"); // idle: blocked in its read
        Thread.sleep(1_000);
        sleeper.pause();
        for (int i = 0; i < 3; i++) {
            tq.client.submit("crash.work", "t" + i, 100L);
        }
        // An idle worker's blocking read takes one task (the others wait in the stream).
        await("Redis handed a task to the frozen worker's pending read").atMost(Duration.ofSeconds(5))
                .until(() -> read(redis -> redis.xpending("{taskqueue:default}:s:0", "workers")).getCount() == 1);
        worker("rescuer");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> completions("t0") + completions("t1") + completions("t2") == 3);

        sleeper.resume();
        Thread.sleep(3_000); // it receives its read's reply, and would start that task at once

        Map<String, String> started = read(redis -> redis.hgetall("crash:starts"));
        assertThat(started).as("each task started once, by the rescuer")
                .containsExactlyInAnyOrderEntriesOf(Map.of("t0", "1", "t1", "1", "t2", "1"));
    }

    /** A worker dies, then Redis goes away: its tasks must run again soon after Redis is back, not an outage later. */
    @Test
    void aDeadWorkersTasksRunAgainWithinTenSecondsOfRedisComingBack() throws Exception {
        WorkerProcess doomed = worker("doomed");
        tq.client.submit("crash.work", "held", 30_000L);
        await().atMost(Duration.ofSeconds(10)).until(() -> starts("held") == 1);
        worker("survivor");
        Thread.sleep(2_000);

        doomed.kill();
        server.stop();
        Thread.sleep(6_000);
        server.restart();
        long back = System.currentTimeMillis();

        await().atMost(Duration.ofSeconds(30)).until(() -> starts("held") == 2);
        List<String> log = read(redis -> redis.lrange("crash:log", 0, -1));
        String rerun = log.get(log.size() - 1);
        assertThat(rerun).startsWith("held survivor ");
        long recoveredIn = Long.parseLong(rerun.substring(rerun.lastIndexOf(' ') + 1)) - back;
        System.out.println("FAULT-TEST a dead worker's task ran again " + recoveredIn + " ms after Redis was back");
        assertThat(recoveredIn).isLessThanOrEqualTo(10_000);
    }
}
