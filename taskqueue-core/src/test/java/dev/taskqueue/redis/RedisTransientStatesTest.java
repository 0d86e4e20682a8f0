package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.Workflows;
import dev.taskqueue.testing.RedisStates;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each state in which a real Redis refuses commands for a time (loading, a stale or read-only replica, busy with a
 * script, too few replicas, nothing listening) reaches the caller as {@link BrokerUnavailableException}, naming the
 * state and what to do. Cluster states are in {@code ClusterTransientStatesIT}.
 */
@Timeout(120)
class RedisTransientStatesTest {

    private final TestTasks tasks = new TestTasks();

    @Test
    void aSubmitWhileRedisLoadsItsDataSetSaysSo() {
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(server.uri());
                RedisStates.State loading = RedisStates.loading(server, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("Could not store 1 task(s): Redis at " + describe(server)
                            + " is loading its data set into memory")
                    .hasMessageContaining("(LOADING Redis is loading the dataset in memory)")
                    .hasMessageContaining("Wait until it has loaded it");
        }
    }

    @Test
    void aWaitForAResultWhileRedisLoadsSaysSo() {
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(server.uri())) {
            TaskHandle<Integer> handle = fixture.client.submit(TestTasks::add, 1, 2);
            try (RedisStates.State loading = RedisStates.loading(server, Duration.ofSeconds(2))) {
                assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10)))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is loading its data set into memory");
            }
        }
    }

    @Test
    void aSubmitToAReplicaCutOffFromItsPrimarySaysSo() {
        try (LocalRedisServer server = LocalRedisServer.start();
                TaskQueueFixture fixture = fixture(server.uri())) {
            RedisClient admin = RedisClient.create(server.uri());
            try {
                RedisCommands<String, String> commands = admin.connect().sync();
                commands.configSet("replica-serve-stale-data", "no");
                commands.replicaof("127.0.0.1", RedisStates.deadPort());

                // the submit script (here for an id of the caller's) is refused for the lost link
                assertThatThrownBy(() -> fixture.client.submit(TaskCall.of(TestTasks::add, 1, 2)
                        .withOptions(TaskOptions.defaults().taskId("cut-off"))))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is a replica that lost its link to its primary")
                        .hasMessageContaining("(MASTERDOWN ")
                        .hasMessageContaining("INFO replication");
                // a plain single submit is an XADD, which a replica refuses first as a write
                assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is a read-only replica")
                        .hasMessageContaining("Point spring.data.redis.* at the primary");
            }
            finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    /** A failover made the primary a replica; its script cache is gone too (EVALSHA, then EVAL on NOSCRIPT). */
    @Test
    void aSubmitToAPrimaryDemotedByAFailoverSaysItIsReadOnly() {
        try (LocalRedisServer server = LocalRedisServer.start();
                LocalRedisServer newPrimary = LocalRedisServer.start();
                TaskQueueFixture fixture = fixture(server.uri())) {
            fixture.client.submit(TestTasks::add, 1, 2);
            RedisStates.replicate(server, newPrimary);
            RedisClient admin = RedisClient.create(server.uri());
            try {
                admin.connect().sync().scriptFlush();

                assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is a read-only replica: after a failover")
                        .hasMessageContaining("(READONLY You can't write against a read only replica.")
                        .hasMessageContaining("Sentinel");
            }
            finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void aSubmitWhileAScriptHoldsRedisSaysItIsBusy() {
        try (LocalRedisServer server = LocalRedisServer.start(List.of("--busy-reply-threshold", "100"));
                TaskQueueFixture fixture = fixture(server.uri());
                RedisStates.State busy = RedisStates.busy(server)) {
            assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("is busy running a script")
                    .hasMessageContaining("(BUSY ")
                    .hasMessageContaining("SCRIPT KILL");
        }
    }

    @Test
    void aSubmitWithTooFewReplicasConnectedSaysSo() {
        try (LocalRedisServer server = LocalRedisServer.start(List.of("--min-replicas-to-write", "1"));
                TaskQueueFixture fixture = fixture(server.uri())) {
            assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("refuses writes: fewer replicas than min-replicas-to-write")
                    .hasMessageContaining("(NOREPLICAS ");
        }
    }

    @Test
    void aSubmitToAPortWhereNothingListensSaysTheConnectionWasRefused() {
        RedisURI nowhere = RedisURI.create("127.0.0.1", RedisStates.deadPort());
        try (TaskQueueFixture fixture = fixture(nowhere)) {
            assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("Redis at 127.0.0.1:" + nowhere.getPort() + " is unreachable")
                    .hasMessageContaining("Connection refused")
                    .hasMessageContaining("spring.data.redis");
        }
    }

    /**
     * A workflow step that ends while Redis loads cannot start its successor: the step is handed back and runs
     * again, and the chain completes. Were the refusal taken for a lasting error, the successor would be lost.
     */
    @Test
    void aWorkflowStepEndingWhileRedisLoadsHandsItsSuccessorOn() throws Exception {
        try (LocalRedisServer server = LocalRedisServer.start(RedisStates.RELOADABLE);
                TaskQueueFixture fixture = fixture(server.uri())) {
            fixture.startWorker(settings -> settings.visibilityTimeout(Duration.ofSeconds(3)));
            tasks.gate = new java.util.concurrent.CountDownLatch(1);
            TaskHandle<String> last = fixture.client.submit(Workflows.chain(TaskCall.of(TestTasks::gated, "first"),
                    TaskCall.of(TestTasks::echo, "second").immutable()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tasks.running.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(tasks.running.get()).as("the first step runs").isEqualTo(1);

            try (RedisStates.State loading = RedisStates.loading(server, Duration.ofSeconds(2))) {
                tasks.gate.countDown();
            }
            assertThat(last.get(Duration.ofSeconds(30))).isEqualTo("second");
        }
    }

    /** Error replies that merely start like a transient state's code are the command's own failure. */
    @Test
    void onlyAnExactStateCodeMeansRedisIsUnavailable() {
        try (RedisConnections connections = RedisConnections.create(RedisURI.create("127.0.0.1", 6379))) {
            assertThat(connections.translate("declare a queue",
                    new RedisCommandExecutionException("BUSYGROUP Consumer Group name already exists")))
                    .isExactlyInstanceOf(TaskQueueException.class)
                    .hasMessage("Redis refused to declare a queue: BUSYGROUP Consumer Group name already exists");
            assertThat(connections.translate("store 1 task(s)",
                    new RedisCommandExecutionException("TRYAGAIN Multiple keys request during rehashing of slot")))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("is moving this key's hash slot to another node");
        }
    }

    /**
     * A command that got no answer within its bound reads the same whether this side's wait or Lettuce's command
     * timeout noticed first (with the same bound they race), and is not taken for a command Redis surely did not run.
     */
    @Test
    void aTimeoutSaysNoAnswerInTimeWhicheverSideNoticedIt() {
        try (RedisConnections connections = RedisConnections.create(RedisURI.create("127.0.0.1", 6379))) {
            for (Throwable timeout : List.of(new TimeoutException(),
                    new RedisCommandTimeoutException("Command timed out after 300 millisecond(s)"))) {
                RuntimeException failure = connections.translate("store 1 task(s)", timeout);
                assertThat(failure).isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("(no answer in time)");
                assertThat(RedisConnections.surelyNotRun(failure)).isFalse();
            }
        }
    }

    private TaskQueueFixture fixture(RedisURI uri) {
        uri.setTimeout(Duration.ofSeconds(5));
        return new TaskQueueFixture(RedisConnections.create(uri), SubmitRetry.NEVER, tasks);
    }

    private static String describe(LocalRedisServer server) {
        return "127.0.0.1:" + server.port();
    }
}
