package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a clear error and loses nothing; the worker carries on. */
class BadInputTest {

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(new ClientSettings("default", 4096,
            Duration.ofHours(1)), tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void anUnknownTaskFailsIsKeptInTheDeadLettersAndTheWorkerCarriesOn() {
        tq.startWorker();
        TaskHandle<Object> handle = tq.foreignClient().submit("billing.invoice", "order-7");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("no task named 'billing.invoice' on this worker");
        Map<String, String> dead = onlyDeadLetter("default");
        assertThat(dead).containsEntry("i", handle.id()).containsEntry("task", "billing.invoice");
        assertThat(dead.get("m")).contains("order-7");
        assertThat(tq.client.submit(TestTasks::add, 2, 2).get(Duration.ofSeconds(5))).isEqualTo(4);
    }

    @Test
    void argumentsOfTheWrongTypeFailNamingTheParameterAndAreNotRetried() {
        tq.startWorker(s -> s.queue("images"));
        TaskHandle<Object> handle = tq.foreignClient().withOptions(TaskOptions.defaults().queue("images"))
                .submit("test.thumbnail", "img-1", "wide");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("argument 'width' of task 'test.thumbnail' must be int")
                .hasMessageContaining("\"wide\"");
        assertThat(((TaskFailedException) catchFailure(handle)).getRemoteType())
                .isEqualTo("dev.taskqueue.InvalidArgumentsException");
        assertThat(tasks.runsOf("thumbnail:img-1")).isZero();
        assertThat(onlyDeadLetter("images").get("reason")).contains("not retried");
    }

    @Test
    void aWrongNumberOfArgumentsIsRefusedAtSubmitWhenTheTaskIsKnown() {
        assertThatThrownBy(() -> tq.client.submit("test.add", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes 2 argument(s) [a, b], but 1 were given");
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isZero();
    }

    @Test
    void aCorruptMessageIsQuarantinedWithItsRawBytesAndAReason() {
        tq.startWorker();
        redis.xadd("{taskqueue:default}:s:0", Map.of("i", "corrupt-1", "m", "{not json at all", "d", "0"));

        TaskHandle<Object> handle = tq.client.handle("corrupt-1");
        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(10))).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("corrupt message");
        Map<String, String> dead = onlyDeadLetter("default");
        assertThat(dead).containsEntry("i", "corrupt-1").containsEntry("m", "{not json at all");
        assertThat(dead.get("reason")).startsWith("corrupt message: not valid JSON");
        assertThat(tq.client.submit(TestTasks::add, 1, 1).get(Duration.ofSeconds(5))).isEqualTo(2);
    }

    @Test
    void anOversizedPayloadIsRejectedAtSubmitAndNothingIsSent() {
        String big = "x".repeat(5000);

        assertThatThrownBy(() -> tq.client.submit(TestTasks::echo, big)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("test.echo").hasMessageContaining("limit of 4096 bytes")
                .hasMessageContaining("taskqueue.max-payload-size");
        assertThat(redis.exists("{taskqueue:default}:s:0")).isZero();
    }

    @Test
    void argumentsOfTheWrongTypeForAKnownTaskAreRefusedAtSubmitNamingTheParameter() {
        assertThatThrownBy(() -> tq.client.submit("test.thumbnail", "img-1", "wide"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Task 'test.thumbnail' takes int width (JSON integer) as argument 2, but a "
                        + "java.lang.String (JSON string) was given");
        assertThat(redis.exists("{taskqueue:images}:s:0")).as("nothing sent").isZero();
    }

    @Test
    void argumentsThatCannotBeWrittenAsJsonAreRefusedAtSubmit() {
        assertThatThrownBy(() -> tq.foreignClient().submit("test.echo", new Object() {
            public Object getSelf() {
                throw new IllegalStateException("not data");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be written as JSON");
    }

    @Test
    void aFailureKeepsTheRemoteErrorsTypeMessageAndStack() {
        tq.startWorker();
        TaskHandle<String> handle = tq.client.submit(TestTasks::fail, "disk full");

        TaskFailedException failure = (TaskFailedException) catchFailure(handle);
        assertThat(failure.getRemoteType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(failure.getRemoteMessage()).isEqualTo("disk full");
        assertThat(failure.getRemoteStackTrace()).contains("at dev.taskqueue.testing.TestTasks.fail");
        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(onlyDeadLetter("default").get("error")).isEqualTo("java.lang.IllegalStateException");
    }

    private Throwable catchFailure(TaskHandle<?> handle) {
        try {
            handle.get(Duration.ofSeconds(10));
        }
        catch (TaskFailedException ex) {
            return ex;
        }
        throw new AssertionError("expected the task to fail");
    }

    private Map<String, String> onlyDeadLetter(String queue) {
        List<StreamMessage<String, String>> dead = redis.xrange("{taskqueue:" + queue + "}:dead",
                Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        return dead.get(0).getBody();
    }
}
