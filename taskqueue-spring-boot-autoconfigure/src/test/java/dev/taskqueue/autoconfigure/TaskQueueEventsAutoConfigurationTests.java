package dev.taskqueue.autoconfigure;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEvent.Type;
import dev.taskqueue.event.TaskEventPublisher;
import dev.taskqueue.redis.RedisEventLog;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.event.EventListener;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@ExtendWith(OutputCaptureExtension.class)
class TaskQueueEventsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueEventsAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(TestTasks.Greeter.class)
            .withBean(Heard.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void aTasksLifeIsPublishedAsApplicationEvents() {
        runner.run(context -> {
            Heard heard = context.getBean(Heard.class);
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            handle.get(WAIT);

            await().atMost(WAIT).untilAsserted(() -> assertThat(heard.types(handle.id()))
                    .containsExactlyInAnyOrder(Type.SENT, Type.RECEIVED, Type.STARTED, Type.SUCCEEDED));
            TaskEvent succeeded = heard.of(handle.id(), Type.SUCCEEDED);
            assertThat(succeeded.taskName()).isEqualTo("test.greet");
            assertThat(succeeded.queue()).isEqualTo("default");
            assertThat(succeeded.duration()).isNotNull();
            assertThat(succeeded.source()).isEqualTo(ManagementFactory.getRuntimeMXBean().getName());
        });
    }

    @Test
    void failuresAndRetriesArePublishedWithTheirError() {
        runner.withPropertyValues("taskqueue.retry.max-retries=1", "taskqueue.retry.delay=10ms").run(context -> {
            Heard heard = context.getBean(Heard.class);
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> handle.get(WAIT));

            await().atMost(WAIT).untilAsserted(() -> assertThat(heard.types(handle.id()))
                    .contains(Type.RETRIED, Type.FAILED));
            TaskEvent failed = heard.of(handle.id(), Type.FAILED);
            assertThat(failed.errorType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(failed.errorMessage()).isEqualTo("expected failure");
            assertThat(heard.of(handle.id(), Type.RETRIED).errorMessage()).isEqualTo("expected failure");
        });
    }

    @Test
    void aRevokedTaskIsPublishedWhereItsWorkerDropsIt() {
        String[] revoked = new String[1];
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            revoked[0] = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").id();
            context.getBean(TaskQueueOperations.class).revoke(revoked[0], false);
        });
        runner.run(context -> await().atMost(WAIT).untilAsserted(() -> assertThat(context.getBean(Heard.class)
                .types(revoked[0])).containsExactlyInAnyOrder(Type.RECEIVED, Type.REVOKED)));
    }

    @Test
    void aListenerThatThrowsDoesNotDisturbTheTask(CapturedOutput output) {
        runner.withBean(Throwing.class).run(context -> {
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

            assertThat(handle.get(WAIT)).isEqualTo("Hello Ada");
            await().atMost(WAIT).untilAsserted(() -> assertThat(context.getBean(Heard.class).types(handle.id()))
                    .contains(Type.SUCCEEDED));
            assertThat(output).contains("A listener of task event STARTED of task test.greet [" + handle.id()
                    + "] failed; the task is not affected");
        });
    }

    @Test
    void applicationEventsAreOffWhenPublishIsFalse() {
        runner.withPropertyValues("taskqueue.events.publish=false").run(context -> {
            assertThat(context).doesNotHaveBean("taskQueueApplicationEvents");
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);

            assertThat(context.getBean(Heard.class).events).isEmpty();
        });
    }

    @Test
    void theRedisStreamCollectsEventsWhenEnabledAndClosesWithTheContext() {
        RedisEventLog[] eventLog = new RedisEventLog[1];
        runner.withPropertyValues("taskqueue.events.stream.enabled=true", "taskqueue.events.stream.max-length=100")
                .run(context -> {
                    eventLog[0] = context.getBean(RedisEventLog.class);
                    String id = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").id();

                    await().atMost(WAIT).untilAsserted(() -> assertThat(eventLog[0].recent(10))
                            .filteredOn(event -> event.taskId().equals(id)).extracting(TaskEvent::type)
                            .containsExactlyInAnyOrder(Type.SENT, Type.RECEIVED, Type.STARTED, Type.SUCCEEDED));
                    assertThat(SharedRedis.admin().sync().type("{taskqueue}:events")).isEqualTo("stream");
                });
        assertThat(eventLog[0]).isNotNull();
        int before = SharedRedis.admin().sync().xlen("{taskqueue}:events").intValue();
        eventLog[0].accept(new TaskEvent(Type.SENT, "late", "test.greet", "default", java.time.Instant.now(), "x",
                null, null, null));
        // Closed: not sent, however long the sender (which sends every 200 ms) would have taken.
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                .until(() -> SharedRedis.admin().sync().xlen("{taskqueue}:events").intValue() == before);
    }

    @Test
    void theRedisStreamIsOffByDefault() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(RedisEventLog.class).hasSingleBean(TaskEventPublisher.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada"); // a SENT event
            // An event log, if there were one, sends every 200 ms.
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> SharedRedis.admin().sync().exists("{taskqueue}:events") == 0);
            assertThat(SharedRedis.admin().sync().exists("{taskqueue}:events")).isZero();
        });
    }

    @Test
    void theRedisStreamNeedsTheRedisBroker() {
        runner.withPropertyValues("taskqueue.broker=inline", "taskqueue.events.stream.enabled=true")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RedisEventLog.class));
    }

    /** What an application's {@code @EventListener} hears. */
    static class Heard {

        final List<TaskEvent> events = new CopyOnWriteArrayList<>();

        @EventListener
        void on(TaskEvent event) {
            events.add(event);
        }

        List<Type> types(String taskId) {
            return events.stream().filter(event -> event.taskId().equals(taskId)).map(TaskEvent::type).toList();
        }

        TaskEvent of(String taskId, Type type) {
            return events.stream().filter(event -> event.taskId().equals(taskId) && event.type() == type)
                    .findFirst().orElseThrow();
        }
    }

    /** A listener with a bug. */
    static class Throwing {

        @EventListener
        void on(TaskEvent event) {
            if (event.type() == Type.STARTED) {
                throw new IllegalStateException("listener bug");
            }
        }
    }
}
