package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.testing.RedisStates;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A submit tries again while Redis surely did not store the task (down, restarting, loading), within its bound,
 * and never stores a task twice: after an ambiguous failure only a task with a caller-chosen id is sent again.
 */
@Timeout(120)
class SubmitRetryTest {

    private static final String READY = "{taskqueue:default}:s:0";

    private final TestTasks tasks = new TestTasks();

    @Test
    void aSubmitWaitsForARedisThatRestartsAndStoresTheTaskOnce() throws Exception {
        SubmitRetry retry = new SubmitRetry(10, Duration.ofMillis(200), 2, Duration.ofSeconds(1));
        try (LocalRedisServer server = LocalRedisServer.start();
                TaskQueueFixture fixture = fixture(server.uri(), retry)) {
            fixture.client.submit(TestTasks::add, 1, 1); // connected before the outage
            server.stop();
            Thread.sleep(200); // the client has seen the connection close: the outage started before the submit
            CompletableFuture<Void> restarted = CompletableFuture.runAsync(() -> {
                sleep(1_000);
                server.restart(); // empty: only what is submitted from now on is there
            });

            long started = System.nanoTime();
            TaskHandle<Integer> handle = fixture.client.submit(TestTasks::add, 2, 2);
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            restarted.get(30, TimeUnit.SECONDS);

            assertThat(ids(server, READY)).containsExactly(handle.id());
            assertThat(waitedMillis).as("waited %d ms", waitedMillis).isGreaterThanOrEqualTo(1_000)
                    .isLessThan(retry.maxTotalDelay().toMillis() + 10_000);
            System.out.printf("A submit across a restart 1 s after it began returned after %d ms%n", waitedMillis);
        }
    }

    @Test
    void aSubmitToARedisThatStaysDownGivesUpWithinItsBoundNamingTheAttempts() {
        SubmitRetry retry = new SubmitRetry(4, Duration.ofMillis(100), 2, Duration.ofSeconds(1)); // 100+200+400 ms
        RedisURI nowhere = RedisURI.create("127.0.0.1", RedisStates.deadPort());
        try (TaskQueueFixture fixture = fixture(nowhere, retry)) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("is unreachable")
                    .hasMessageContaining("Connection refused")
                    .hasMessageMatching("(?s).* Gave up after 4 attempts over \\d+ ms \\(taskqueue\\.submit\\.retry\\.\\*\\)\\.");
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMillis).as("took %d ms", tookMillis).isGreaterThanOrEqualTo(700).isLessThan(10_000);
        }
    }

    @Test
    void aSubmitWaitsWhileRedisLoadsItsDataSet() {
        SubmitRetry retry = new SubmitRetry(20, Duration.ofMillis(100), 2, Duration.ofMillis(500));
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(server.uri(), retry)) {
            TaskHandle<Integer> handle;
            long waitedMillis;
            try (RedisStates.State loading = RedisStates.loading(server, Duration.ofSeconds(2))) {
                long started = System.nanoTime();
                handle = fixture.client.submit(TestTasks::add, 1, 2);
                waitedMillis = (System.nanoTime() - started) / 1_000_000;
            }
            assertThat(ids(server, READY)).containsExactly(handle.id());
            assertThat(waitedMillis).as("waited %d ms", waitedMillis).isGreaterThan(500);
            System.out.printf("A submit while Redis loaded for about 2 s returned after %d ms%n", waitedMillis);
        }
    }

    /**
     * Redis is held (DEBUG SLEEP) while the submit is sent: no answer within the command timeout. It runs the
     * script once it wakes, so sending it again would have stored a second task.
     */
    @Test
    void aTaskWithAGeneratedIdIsNotSubmittedAgainAfterAnAmbiguousFailure() throws Exception {
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(withTimeout(server.uri(), Duration.ofMillis(300)),
                        SubmitRetry.DEFAULT)) {
            fixture.client.submit(TestTasks::add, 1, 1); // connected, and one task stored before
            Throwable thrown;
            try (RedisStates.State asleep = RedisStates.asleep(server, Duration.ofMillis(1_500))) {
                thrown = catchThrowable(() -> fixture.client.submit(TestTasks::add, 2, 2));
            }
            assertThat(ids(server, READY)).as("tasks stored: the submit's own once, by the attempt that timed out")
                    .hasSize(2);
            assertThat(thrown).isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("no answer in time")
                    .hasMessageContaining("Not submitted again: Redis may have stored the task(s)");
        }
    }

    @Test
    void aTaskWithACallerChosenIdIsSubmittedAgainAfterAnAmbiguousFailureAndStoredOnce() throws Exception {
        SubmitRetry retry = new SubmitRetry(20, Duration.ofMillis(100), 2, Duration.ofMillis(300));
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(withTimeout(server.uri(), Duration.ofMillis(300)), retry)) {
            fixture.client.submit(TestTasks::add, 1, 1);
            TaskHandle<Integer> handle;
            try (RedisStates.State asleep = RedisStates.asleep(server, Duration.ofMillis(1_500))) {
                handle = fixture.client.withOptions(TaskOptions.defaults().taskId("order-42"))
                        .submit(TestTasks::add, 2, 2);
            }
            assertThat(handle.id()).isEqualTo("order-42");
            assertThat(ids(server, READY)).filteredOn("order-42"::equals).hasSize(1);
        }
    }

    /** The task ids in a stream. */
    private static List<String> ids(LocalRedisServer server, String stream) {
        RedisClient client = RedisClient.create(server.uri());
        try {
            RedisCommands<String, String> redis = client.connect().sync();
            return redis.xrange(stream, io.lettuce.core.Range.create("-", "+")).stream()
                    .map(StreamMessage::getBody).map(body -> body.get("i")).toList();
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    private TaskQueueFixture fixture(RedisURI uri, SubmitRetry retry) {
        if (uri.getTimeout().compareTo(Duration.ofSeconds(5)) > 0) {
            uri.setTimeout(Duration.ofSeconds(5));
        }
        return new TaskQueueFixture(RedisConnections.create(uri), retry, tasks);
    }

    private static RedisURI withTimeout(RedisURI uri, Duration timeout) {
        uri.setTimeout(timeout);
        return uri;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
