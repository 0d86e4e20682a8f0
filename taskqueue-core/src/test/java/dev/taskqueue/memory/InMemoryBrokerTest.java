package dev.taskqueue.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The in-memory broker keeps the Redis broker's contract, for tests without Redis. */
class InMemoryBrokerTest {

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final MessageCodec codec = new MessageCodec(mapper);
    private final TestTasks tasks = new TestTasks();
    private final InMemoryBroker broker = new InMemoryBroker(Clock.systemUTC());
    private final TaskRegistry registry = new TaskRegistry(mapper, "default");
    private final DefaultTaskClient client;
    private Worker worker;

    InMemoryBrokerTest() {
        registry.register("tasks", tasks, TestTasks.class);
        client = new DefaultTaskClient(broker, broker, registry, codec, ClientSettings.DEFAULTS,
                TaskEventListener.of(List.of()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.stop();
        }
    }

    private void startWorker() {
        worker = new Worker(broker, registry, codec, TaskQueueFixture.fastSettings().queue("default")
                .queue("images").build(), TaskEventListener.of(List.of()), Clock.systemUTC());
        worker.start();
    }

    @Test
    void tasksRunAndReturnResults() {
        startWorker();

        long before = System.currentTimeMillis();
        TaskHandle<Integer> sum = client.submit(TestTasks::add, 2, 3);
        assertThat(sum.get(Duration.ofSeconds(5))).isEqualTo(5);
        assertThat(sum.info().submittedAt()).isBetween(Instant.ofEpochMilli(before), Instant.now()); // from its message
        assertThat(client.submit(TestTasks::thumbnail, "i", 5).get(Duration.ofSeconds(5)).width()).isEqualTo(5);
    }

    @Test
    void delayedTasksWaitForTheirCountdown() {
        startWorker();
        long submitted = System.currentTimeMillis();
        TaskHandle<String> handle = client.withOptions(TaskOptions.defaults().countdown(Duration.ofMillis(300)))
                .submit(TestTasks::echo, "later");

        assertThat(handle.state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(handle.get(Duration.ofSeconds(5))).isEqualTo("later");
        assertThat(tasks.startedAt.get("later") - submitted).isGreaterThanOrEqualTo(300);
    }

    @Test
    void failuresGoToTheDeadLetters() {
        startWorker();
        TaskHandle<String> handle = client.submit(TestTasks::fail, "oops");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(5))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("oops");
        assertThat(broker.deadLetters("default")).singleElement()
                .satisfies(letter -> assertThat(letter.deliveries()).isEqualTo(1));
    }

    /** As the Redis acknowledge script: a success clears the error of the attempt before. */
    @Test
    void aSuccessAfterARetryClearsTheError() {
        TaskHandle<String> handle = client.submit(TestTasks::echo, "again");
        Delivery first = broker.claim("w", List.of("default"), 1).get(0);
        TaskMessage message = codec.decode(first.taskId(), first.body()).message();
        broker.acknowledge("w", List.of(Outcome.retry(first, new TaskError("java.io.IOException", "flaky", null, true),
                new Outcome.Retry(codec.encodeBody(message.nextAttempt(), List.of("again")), 0, 0))
                .task("test.echo", 1).record(true, 60_000).build()));
        assertThat(handle.info().error()).isNotNull();
        broker.promoteDue("default", 10);
        Delivery second = broker.claim("w", List.of("default"), 1).get(0);
        broker.acknowledge("w", List.of(Outcome.succeeded(second, "\"again\"").task("test.echo", 2)
                .record(true, 60_000).build()));

        assertThat(handle.info().state()).isEqualTo(TaskState.SUCCESS);
        assertThat(handle.info().error()).isNull();
    }

    @Test
    void aDeadConsumersTaskIsRedeliveredAndItsLateAckRefused() throws Exception {
        client.submit(TestTasks::echo, "x");
        long now = System.currentTimeMillis();
        broker.heartbeat(new WorkerInfo("ghost", "h", 1, List.of("default"), 1, 0, 0, 0, now, now, "RUNNING"),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        Delivery lost = broker.claim("ghost", List.of("default"), 1).get(0);
        Thread.sleep(60);
        var recovery = broker.recover(new RecoveryPolicy(Duration.ofMillis(30), Duration.ofHours(1)));

        assertThat(recovery.deadWorkers()).containsExactly("ghost");
        Delivery again = broker.claim("other", List.of("default"), 1).get(0);
        assertThat(again.deliveries()).isEqualTo(1);
        assertThat(broker.acknowledge("ghost", List.of(Outcome.succeeded(lost, "1").task("test.echo", 1)
                .record(true, 1000).build())))
                .containsExactly(false);
        assertThat(broker.acknowledge("other", List.of(Outcome.succeeded(again, "2").task("test.echo", 1)
                .record(true, 1000).build())))
                .containsExactly(true);
    }

    @Test
    void pauseResumeAndPurgeAsOnRedis() throws Exception {
        startWorker();
        broker.pause("default");
        TaskHandle<String> held = client.submit(TestTasks::echo, "held");
        client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1))).submit(TestTasks::echo, "later");
        Thread.sleep(500);
        assertThat(held.state()).isEqualTo(TaskState.PENDING);
        assertThat(broker.stats("default").paused()).isTrue();
        broker.resume("default");
        assertThat(held.get(Duration.ofSeconds(5))).isEqualTo("held");
        assertThat(broker.stats("default").processedLastMinute()).isEqualTo(1);
        assertThat(broker.purge("default")).isEqualTo(1);
        assertThat(broker.stats("default").scheduled()).isZero();
    }

    @Test
    void aRevocationIsRecordedUnlessTheTaskFinishedAsOnRedis() {
        startWorker();
        TaskHandle<String> done = client.submit(TestTasks::echo, "done");
        done.get(Duration.ofSeconds(5));
        client.withOptions(TaskOptions.defaults().queue("images")).submit(TestTasks::echo, "elsewhere")
                .get(Duration.ofSeconds(5));
        broker.pause("default");
        TaskHandle<String> queued = client.submit(TestTasks::echo, "queued");

        assertThat(queued.revoke()).isTrue();
        assertThat(queued.revoke()).isFalse(); // already revoked
        assertThat(done.revoke()).isFalse();
        assertThat(broker.revoke(null, done.id(), "revoked by an operator", false)).isFalse();
        assertThat(broker.find(null, done.id()).state()).isEqualTo(TaskState.SUCCESS);
        assertThat(broker.find("images", done.id()).state()).isEqualTo(TaskState.PENDING); // no record made there
    }
}
