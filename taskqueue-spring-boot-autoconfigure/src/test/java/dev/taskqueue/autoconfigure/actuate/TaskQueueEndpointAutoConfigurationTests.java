package dev.taskqueue.autoconfigure.actuate;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.taskqueue.TaskCall;
import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.Workflows;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.DeadLetterPage;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.DeadLetterView;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.EventView;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.NotFoundException;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.Overview;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.QueueDescriptor;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.ScheduleView;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.CatalogView;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint.WorkerDescriptor;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpointWebExtension;
import dev.taskqueue.autoconfigure.SharedRedisStores;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueEventsAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.autoconfigure.actuate.TaskQueueViewsAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.SharedRedis;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jmx.JmxEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The endpoint's operations on a real Redis, called as Java methods and over JMX; HTTP is in the web tests. */
class TaskQueueEndpointAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueEventsAutoConfiguration.class,
                    TaskQueueViewsAutoConfiguration.class, TaskQueueEndpointAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withPropertyValues("management.endpoints.web.exposure.include=taskqueue")
            .withBean(TestTasks.Greeter.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void endpointShowsOneTaskById() {
        runner.withPropertyValues("management.endpoint.taskqueue.show-values=always").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            handle.get(WAIT);

            TaskQueueEndpoint.TaskView view = (TaskQueueEndpoint.TaskView) endpoint.get("tasks", handle.id());

            assertThat(view.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(view.name()).isEqualTo("test.greet");
            assertThat(view.queue()).isEqualTo("default");
            assertThat(view.attempt()).isEqualTo(1);
            assertThat(view.result()).isEqualTo("Hello Ada"); // a JSON value, not JSON in a string
            assertThat(view.arguments()).isEqualTo(List.of("Ada"));
            assertThat(view.parentId()).isNull();
            assertThat(view.worker()).isNotNull();
            assertThat(view.submittedAt()).isNotNull().isBeforeOrEqualTo(view.startedAt());
            assertThat(view.finishedAt()).isNotNull();
            assertThat(view.error()).isNull();
        });
    }

    @Test
    void aTaskWithHugeArgumentsAndResultShowsThemShortenedAndStillJson() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            String name = "x".repeat(20_000);
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, name);
            handle.get(WAIT);

            TaskQueueEndpoint.TaskView view = endpoint.task(handle.id());

            assertThat(view.arguments()).asInstanceOf(InstanceOfAssertFactories.LIST).singleElement().asString()
                    .startsWith("xxx").endsWith("\u2026").hasSizeLessThan(1_100);
            assertThat(view.result()).asString().startsWith("Hello xxx").endsWith("\u2026")
                    .hasSizeLessThanOrEqualTo(4_096);
        });
    }

    @Test
    void aTaskThatSucceededAfterARetryShowsNoError() {
        runner.withBean(Flaky.class).run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(Flaky::once, "Ada");
            assertThat(handle.get(WAIT)).isEqualTo("Ada on attempt 2");

            TaskQueueEndpoint.TaskView view = endpoint.task(handle.id());

            assertThat(view.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(view.attempt()).isEqualTo(2);
            assertThat(view.error()).isNull();
            assertThat(view.nextRunAt()).isNull();
        });
    }

    /** Fails its first attempt, then succeeds. */
    static class Flaky {

        @Task(name = "test.flaky", retry = @Retry(maxRetries = 1, delay = "10ms"))
        String once(String name) {
            if (TaskContext.current().attempt() == 1) {
                throw new IllegalStateException("first attempt of " + name + " fails");
            }
            return name + " on attempt " + TaskContext.current().attempt();
        }
    }

    @Test
    void aTaskOfAWorkflowNamesItsParent() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            TaskHandle<String> last = context.getBean(TaskClient.class)
                    .submit(TaskCall.of(TestTasks.Greeter::greet, "Ada").then(TestTasks.Greeter::header));
            last.get(WAIT);

            TaskQueueEndpoint.TaskView view = endpoint.task(last.id());

            assertThat(view.parentId()).isNotNull();
            assertThat(view.arguments()).isEqualTo(List.of("Hello Ada"));
            assertThat(endpoint.task(view.parentId()).name()).isEqualTo("test.greet");
        });
    }

    @Test
    void unknownTaskIsNotFoundAndAnInvalidIdOrKindIsABadRequest() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> endpoint.get("tasks", "unknown-id"))
                    .withMessageContaining("No record of task 'unknown-id'");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.get("tasks", "not/an id"))
                    .withMessageContaining("A task id must be");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.get("nonsense", "x"))
                    .withMessageContaining("use queues/{name}, tasks/{id}, catalog/{name} or schedules/{name}");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.list("nonsense", null))
                    .withMessageContaining("queues, workers, catalog, schedules, chords, events or outbox");
        });
    }

    @Test
    void overviewShowsTotalsQueuesWorkersSchedulesAndTasks() {
        runner.withPropertyValues("taskqueue.worker.queues=default,failing,reports").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            String workerId = context.getBean(TaskQueueWorkerLifecycle.class).worker().id();
            await().atMost(Duration.ofSeconds(10)).until(() -> !endpoint.overview().workers().isEmpty());
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);

            Overview overview = endpoint.overview();

            assertThat(overview.broker()).isEqualTo("redis ******"); // its address is a value
            assertThat(overview.queues()).extracting(QueueDescriptor::name)
                    .containsExactlyInAnyOrder("default", "failing", "reports");
            assertThat(overview.workers()).singleElement().satisfies(worker -> {
                assertThat(worker.id()).isEqualTo(workerId);
                assertThat(worker.queues()).containsExactly("default", "failing", "reports");
                assertThat(worker.state()).isEqualTo("RUNNING");
            });
            assertThat(overview.workers()).extracting(WorkerDescriptor::concurrency).containsExactly(4);
            assertThat(overview.totals().queues()).isEqualTo(3);
            assertThat(overview.totals().workers()).isEqualTo(1);
            assertThat(overview.totals().processedLastMinute()).isEqualTo(1);
            assertThat(overview.schedules()).isEmpty();
            assertThat(overview.catalog()).extracting(CatalogView::name, CatalogView::queue, CatalogView::declaredHere)
                    .containsExactly(tuple("test.fail", "failing", true), tuple("test.greet", "default", true),
                            tuple("test.header", "default", true));
            CatalogView greet = (CatalogView) endpoint.get("catalog", "test.greet");
            assertThat(greet.instances()).containsOnlyKeys(workerId);
            assertThat(greet.parameters()).extracting(DeclaredTask.Parameter::name).containsExactly("name");
            assertThat(overview.queues()).filteredOn(queue -> queue.name().equals("failing")).singleElement()
                    .extracting(QueueDescriptor::consumers).isEqualTo(List.of(workerId));
            assertThat(endpoint.list("queues", null)).isEqualTo(overview.queues());
            assertThat(endpoint.list("catalog", null)).isEqualTo(overview.catalog());
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.list("tasks", null)).withMessageContaining("listed at catalog");
            assertThat(endpoint.list("workers", null)).asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(1);
        });
    }

    @Test
    void overviewShowsTheSchedulesWithTheirTicksAndTheyAreDisabledForEveryInstance() {
        runner.withConfiguration(AutoConfigurations.of(TaskQueueSchedulerAutoConfiguration.class))
                .withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.scheduler.refresh-interval=50ms",
                        "taskqueue.schedules.often.task=test.greet", "taskqueue.schedules.often.args=Ada",
                        "taskqueue.schedules.often.fixed-rate=200ms", "taskqueue.schedules.often.queue=reports")
                .run(context -> {
                    TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
                    await().atMost(WAIT).until(() -> endpoint.schedule("often").lastRunAt() != null);

                    ScheduleView often = endpoint.schedule("often");

                    assertThat(endpoint.overview().schedules()).extracting(ScheduleView::name).containsExactly("often");
                    assertThat(endpoint.list("schedules", null)).asInstanceOf(InstanceOfAssertFactories.LIST)
                            .hasSize(1);
                    assertThat(often.task()).isEqualTo("test.greet");
                    assertThat(often.queue()).isEqualTo("reports");
                    assertThat(often.trigger()).isEqualTo("every 0.2s");
                    assertThat(often.nextRunAt()).isAfter(often.lastRunAt());

                    ScheduleView disabled = endpoint.enableSchedule("often", false);
                    Thread.sleep(300); // a tick the scheduler was sending as it was disabled lands first
                    long queued = endpoint.queue("reports").pending();
                    Thread.sleep(600); // three ticks' worth: none may be submitted while disabled

                    assertThat(disabled.enabled()).isFalse();
                    assertThat(disabled.nextRunAt()).isNull();
                    assertThat(endpoint.queue("reports").pending()).isEqualTo(queued);
                    assertThat(endpoint.enableSchedule("often", true).enabled()).isTrue();
                    await().atMost(WAIT).until(() -> endpoint.queue("reports").pending() > queued);
                    assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> endpoint.schedule("nope"))
                            .withMessageContaining("Known schedules: [often]");
                    assertThatExceptionOfType(InvalidEndpointRequestException.class)
                            .isThrownBy(() -> endpoint.act("schedules", "often", "run"));
                });
    }

    @Test
    void withoutSchedulesTheListIsEmptyAndAScheduleIsNotFound() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            assertThat(endpoint.schedules()).isEmpty();
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.act("schedules", "nightly", "disable"));
        });
    }

    @Test
    void endpointShowsOneQueueAndNotFoundForAnUnknownOne() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            QueueDescriptor queue = (QueueDescriptor) endpoint.get("queues", "default");

            assertThat(queue.oldestPendingAgeMillis()).isNotNull();
            assertThat(queue).as("no worker consumes it").isEqualTo(new QueueDescriptor("default", 1, 0, 0, 0,
                    queue.oldestPendingAgeMillis(), 0, false, List.of()));
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.get("queues", "nobody-uses-this"))
                    .withMessageContaining("No queue 'nobody-uses-this'").withMessageContaining("failing");
        });
    }

    @Test
    void pausedQueueIsShownAndItsTasksRunOnceResumed() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            QueueDescriptor paused = (QueueDescriptor) endpoint.act("queues", "default", "pause");
            TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

            assertThat(paused.paused()).isTrue();
            assertThat(endpoint.overview().totals().pausedQueues()).isEqualTo(1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> handle.state() == TaskState.PENDING); // the running worker leaves it
            QueueDescriptor resumed = (QueueDescriptor) endpoint.act("queues", "default", "resume");
            assertThat(resumed.paused()).isFalse();
            assertThat(handle.get(WAIT)).isEqualTo("Hello Ada");
        });
    }

    @Test
    void purgeDeletesReadyAndDelayedTasks() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskClient client = context.getBean(TaskClient.class);
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            client.submit(TestTasks.Greeter::greet, "Ada");
            client.submit(TestTasks.Greeter::greet, "Bob");
            client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1))).submit(TestTasks.Greeter::greet,
                    "Cyd");

            TaskQueueEndpoint.QueueChange purged = (TaskQueueEndpoint.QueueChange) endpoint.act("queues", "default",
                    "purge");

            assertThat(purged).isEqualTo(new TaskQueueEndpoint.QueueChange("default", "purge", 3));
            assertThat(endpoint.queue("default").pending()).isZero();
            assertThat(endpoint.queue("default").scheduled()).isZero();
        });
    }

    @Test
    void unknownQueueActionsAreNotFoundAndUnknownActionsAreBadRequests() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.act("queues", "nope", "pause"));
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.act("queues", "default", "explode"))
                    .withMessageContaining("use pause, resume or purge");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.act("tasks", "some-id", "pause"))
                    .withMessageContaining("use revoke, or terminate");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.act("workers", "w1", "pause"));
            assertThat(endpoint.queue("default").paused()).isFalse();
        });
    }

    @Test
    void deadLettersArePagedShownWholeRequeuedAndDeleted() {
        runner.withPropertyValues("management.endpoint.taskqueue.show-values=always").run(context -> {
            TaskClient client = context.getBean(TaskClient.class);
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            for (int i = 0; i < 3; i++) {
                client.submit(TestTasks.Greeter::fail);
            }
            await().atMost(WAIT).until(() -> endpoint.queue("failing").dead() == 3);

            DeadLetterPage first = endpoint.getQueuePart("queues", "failing", "dead-letters", null, 2);
            DeadLetterPage second = endpoint.getQueuePart("queues", "failing", "dead-letters", first.next(), 2);

            assertThat(first.deadLetters()).hasSize(2);
            assertThat(first.next()).isEqualTo(first.deadLetters().get(1).id());
            assertThat(second.deadLetters()).hasSize(1);
            assertThat(second.next()).isNull();
            DeadLetterView summary = second.deadLetters().get(0);
            assertThat(summary.taskName()).isEqualTo("test.fail");
            assertThat(summary.errorType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(summary.errorMessage()).isEqualTo("expected failure");
            assertThat(summary.stackTrace()).isNull();
            assertThat(summary.deliveries()).isEqualTo(1); // delivered once, and it failed
            assertThat(summary.message()).contains("test.fail");
            DeadLetterView whole = (DeadLetterView) endpoint.getQueuePartEntry("queues", "failing", "dead-letters",
                    summary.id());
            assertThat(whole.stackTrace()).contains("TestTasks$Greeter.fail");
            assertThat(whole.message()).hasSize(whole.messageLength());

            // Paused, a requeued task waits in the queue where the test can see it.
            endpoint.pause("failing");
            assertThat(endpoint.actOnQueuePartEntry("queues", "failing", "dead-letters", summary.id(), "requeue"))
                    .isEqualTo(new TaskQueueEndpoint.QueueChange("failing", "requeue dead letter " + summary.id(), 1));
            assertThat(endpoint.deleteQueuePartEntry("queues", "failing", "dead-letters",
                    first.deadLetters().get(0).id()).tasks()).isEqualTo(1);
            assertThat(endpoint.queue("failing")).satisfies(queue -> {
                assertThat(queue.pending()).isEqualTo(1);
                assertThat(queue.dead()).isEqualTo(1);
            });
            assertThat(endpoint.actOnQueuePart("queues", "failing", "dead-letters", "requeue").tasks()).isEqualTo(1);
            assertThat(endpoint.queue("failing").pending()).isEqualTo(2);
            assertThat(endpoint.queue("failing").dead()).isZero();
            endpoint.purge("failing");
        });
    }

    @Test
    void theArgumentsATaskDeclaresSensitiveAreMaskedInItsDeadLetters() {
        runner.withPropertyValues("management.endpoint.taskqueue.show-values=always").withBean(SignIn.class)
                .run(context -> {
                    TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
                    context.getBean(TaskClient.class).submit(SignIn::signIn, "ada", "s3cret");
                    await().atMost(WAIT).until(() -> endpoint.queue("failing").dead() == 1);

                    DeadLetterView listed = endpoint.deadLetters("failing", null, null).deadLetters().get(0);
                    DeadLetterView whole = endpoint.deadLetter("failing", listed.id());

                    assertThat(List.of(listed.message(), whole.message())).allSatisfy(message -> assertThat(message)
                            .contains("test.sign-in", "\"ada\"", "******").doesNotContain("s3cret"));
                    assertThat(whole.messageLength()).as("the size of the message as stored")
                            .isGreaterThan("s3cret".length());
                });
    }

    /** Fails, with an argument it declares sensitive. */
    static class SignIn {

        @Task(name = "test.sign-in", queue = "failing")
        void signIn(String user, @dev.taskqueue.Sensitive String password) {
            throw new IllegalStateException("no such user");
        }
    }

    /**
     * However large dead letters are, a page stays bounded (each text cut to 16 KB, about 4 MB in all): a page of
     * large ones holds fewer than asked, and still says where the next one starts.
     */
    @Test
    void aPageOfLargeDeadLettersHoldsFewerThanAskedAndStillLeadsToTheNext() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.max-payload-size=64KB").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            String large = "z".repeat(20_000);
            for (int i = 0; i < 70; i++) {
                SharedRedis.admin().sync().xadd("{taskqueue:failing}:dead", Map.of("i", "t" + i, "m", large,
                        "message", large, "stack", large, "reason", large, "at", "1"));
            }
            SharedRedis.admin().sync().xadd("{taskqueue:failing}:dead", Map.of("i", "huge", "m", "h".repeat(100_000)));

            DeadLetterPage first = endpoint.deadLetters("failing", null, 100);
            DeadLetterPage second = endpoint.deadLetters("failing", first.next(), 100);

            assertThat(first.deadLetters()).hasSizeBetween(60, 65).first().satisfies(huge -> {
                assertThat(huge.messageLength()).isEqualTo(100_000);
                assertThat(huge.message()).hasSize(500 + "...".length()); // a page's preview
            });
            assertThat(first.deadLetters().get(1).errorMessage()).endsWith("\u2026 [cut: 20000 bytes in all]")
                    .hasSizeLessThan(16_384);
            assertThat(first.next()).isEqualTo(first.deadLetters().get(first.deadLetters().size() - 1).id());
            assertThat(first.deadLetters().size() + second.deadLetters().size()).isEqualTo(71);
            assertThat(second.next()).isNull();
            // One letter shows its message whole up to taskqueue.max-payload-size, and cut beyond.
            DeadLetterView huge = endpoint.deadLetter("failing", first.deadLetters().get(0).id());
            assertThat(huge.message()).startsWith("hhh").endsWith("\u2026 [cut: 100000 bytes in all]")
                    .hasSizeLessThanOrEqualTo(64 * 1024);
            assertThat(huge.messageLength()).isEqualTo(100_000);
        });
    }

    @Test
    void deletingEveryDeadLetterEmptiesThem() {
        runner.run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::fail);
            await().atMost(WAIT).until(() -> endpoint.queue("failing").dead() == 2);

            assertThat(endpoint.deleteQueuePart("queues", "failing", "dead-letters").tasks()).isEqualTo(2);
            assertThat(endpoint.deadLetters("failing", null, null).deadLetters()).isEmpty();
        });
    }

    @Test
    void unknownDeadLettersAreNotFoundAndMalformedOnesAreBadRequests() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.getQueuePartEntry("queues", "failing", "dead-letters", "1-0"));
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.actOnQueuePartEntry("queues", "failing", "dead-letters", "1-0",
                            "requeue"));
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.deleteQueuePartEntry("queues", "failing", "dead-letters", "1-0"));
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> endpoint.getQueuePart("queues", "nope", "dead-letters", null, null));
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.deleteQueuePartEntry("queues", "failing", "dead-letters", "abc"))
                    .withMessageContaining("not a dead letter id");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.getQueuePart("queues", "failing", "dead-letters", null, 0))
                    .withMessageContaining("between 1 and 500");
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.getQueuePart("queues", "failing", "letters", null, null));
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.actOnQueuePart("queues", "failing", "dead-letters", "retry"))
                    .withMessageContaining("use requeue");
        });
    }

    @Test
    void revokeRemovesAWaitingTask() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskHandle<String> handle = context.getBean(TaskClient.class)
                    .withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                    .submit(TestTasks.Greeter::greet, "Ada");
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);

            TaskQueueEndpoint.Revocation revocation = (TaskQueueEndpoint.Revocation) endpoint.act("tasks",
                    handle.id(), "terminate");

            assertThat(revocation).isEqualTo(new TaskQueueEndpoint.Revocation(handle.id(), true, true,
                    TaskState.REVOKED));
            assertThat(endpoint.queue("default").scheduled()).isZero();
            assertThat(endpoint.task(handle.id()).state()).isEqualTo(TaskState.REVOKED);
            assertThat(endpoint.revoke(handle.id(), false)).isEqualTo(new TaskQueueEndpoint.Revocation(handle.id(),
                    false, false, TaskState.REVOKED)); // revoked already: nothing recorded
        });
    }

    @Test
    void openChordsAreListed() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            assertThat(endpoint.chords(null)).isEmpty();

            TaskHandle<String> body = context.getBean(TaskClient.class).submit(Workflows.chord(
                    Workflows.group(TaskCall.of(TestTasks.Greeter::greet, "Ada"),
                            TaskCall.of(TestTasks.Greeter::greet, "Bob")),
                    TaskCall.partial(TestTasks.Greeter::header)));

            assertThat(endpoint.list("chords", 10)).asInstanceOf(InstanceOfAssertFactories.LIST).singleElement()
                    .satisfies(chord -> {
                        TaskQueueEndpoint.ChordView open = (TaskQueueEndpoint.ChordView) chord;
                        assertThat(open.size()).isEqualTo(2);
                        assertThat(open.done()).isZero();
                        assertThat(open.bodyTaskId()).isEqualTo(body.id());
                        assertThat(open.bodyTaskName()).isEqualTo("test.header");
                        assertThat(open.failure()).isNull();
                    });
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.chords(0));
        });
    }

    @Test
    void eventsComeFromTheRedisStreamWhenItIsEnabled() {
        runner.withPropertyValues("taskqueue.events.stream.enabled=true").run(context -> {
            TaskQueueEndpoint endpoint = context.getBean(TaskQueueEndpoint.class);
            String id = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").id();

            await().atMost(WAIT).untilAsserted(() -> assertThat(endpoint.events(null))
                    .filteredOn(event -> event.taskId().equals(id)).extracting(EventView::type)
                    .contains(TaskEvent.Type.SENT, TaskEvent.Type.STARTED, TaskEvent.Type.SUCCEEDED));
            assertThat(endpoint.events(1)).hasSize(1);
            assertThatExceptionOfType(InvalidEndpointRequestException.class)
                    .isThrownBy(() -> endpoint.events(100_000));
        });
    }

    @Test
    void eventsAreNotFoundWhileTheStreamIsOff() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> assertThatExceptionOfType(
                NotFoundException.class).isThrownBy(() -> context.getBean(TaskQueueEndpoint.class).list("events", 10))
                .withMessageContaining("taskqueue.events.stream.enabled=true"));
    }

    @Test
    void jmxServesReadOperationsAndNoWritesByDefault() {
        jmx().run(context -> {
            MBeanServer server = context.getBean(MBeanServer.class);
            ObjectName endpoint = taskqueueMBean(server);

            Object overview = server.invoke(endpoint, "overview", new Object[0], new String[0]);
            Object queue = server.invoke(endpoint, "get", new Object[] { "queues", "failing" },
                    new String[] { String.class.getName(), String.class.getName() });

            assertThat(overview).asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsOnlyKeys("broker", "totals", "queues", "workers", "schedules", "catalog")
                    .extractingByKey("catalog").asInstanceOf(InstanceOfAssertFactories.LIST).hasSize(3);
            assertThat(queue).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("name", "failing")
                    .containsEntry("pending", 0L).containsEntry("paused", false);
            assertThat(operationNames(server, endpoint)).contains("overview", "list", "get", "getQueuePart")
                    .doesNotContain("act", "actOnQueuePart", "deleteQueuePartEntry");
        });
    }

    @Test
    void jmxServesWritesWhenAccessIsUnrestricted() {
        jmx().withPropertyValues("management.endpoint.taskqueue.access=UNRESTRICTED").run(context -> {
            MBeanServer server = context.getBean(MBeanServer.class);
            ObjectName endpoint = taskqueueMBean(server);

            server.invoke(endpoint, "act", new Object[] { "queues", "failing", "pause" },
                    new String[] { String.class.getName(), String.class.getName(), String.class.getName() });

            assertThat(context.getBean(TaskQueueEndpoint.class).queue("failing").paused()).isTrue();
        });
    }

    @Test
    void jmxHidesValuesUnlessShown() {
        String[][] settings = { {}, { "management.endpoint.taskqueue.show-values=when-authorized" },
                { "management.endpoint.taskqueue.show-values=always" } };
        boolean[] shown = { false, true, true }; // never by default; JMX callers are authorized, as in Boot
        for (int i = 0; i < settings.length; i++) {
            boolean values = shown[i];
            jmx().withPropertyValues("taskqueue.worker.enabled=true").withPropertyValues(settings[i]).run(context -> {
                MBeanServer server = context.getBean(MBeanServer.class);
                ObjectName endpoint = taskqueueMBean(server);
                TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet,
                        "4111 1111 1111 1111");
                handle.get(WAIT);

                Object task = server.invoke(endpoint, "get", new Object[] { "tasks", handle.id() },
                        new String[] { String.class.getName(), String.class.getName() });
                Object overview = server.invoke(endpoint, "overview", new Object[0], new String[0]);

                assertThat(task).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("state", "SUCCESS")
                        .containsEntry("arguments", values ? List.of("4111 1111 1111 1111") : "******")
                        .containsEntry("result", values ? "Hello 4111 1111 1111 1111" : "******");
                assertThat(overview).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("broker",
                        values ? "redis 127.0.0.1:" + SharedRedis.port() : "redis ******");
            });
        }
    }

    private ApplicationContextRunner jmx() {
        return runner.withConfiguration(AutoConfigurations.of(JmxAutoConfiguration.class,
                EndpointAutoConfiguration.class, JmxEndpointAutoConfiguration.class))
                .withPropertyValues("spring.jmx.enabled=true", "spring.jmx.unique-names=true",
                        "management.endpoints.jmx.exposure.include=taskqueue", "taskqueue.worker.enabled=false");
    }

    private static ObjectName taskqueueMBean(MBeanServer server) throws Exception {
        return server.queryNames(new ObjectName("*:type=Endpoint,name=Taskqueue,*"), null).iterator().next();
    }

    private static List<String> operationNames(MBeanServer server, ObjectName name) throws Exception {
        return Arrays.stream(server.getMBeanInfo(name).getOperations()).map(MBeanOperationInfo::getName).toList();
    }

    @Test
    void endpointIsNotCreatedUnlessExposed() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueEndpoint.class)
                        .doesNotHaveBean(TaskQueueEndpointWebExtension.class));
    }

    @Test
    void webExtensionIsCreatedOnlyForWebExposure() {
        runner.run(context -> assertThat(context).hasSingleBean(TaskQueueEndpointWebExtension.class));
        jmx().withPropertyValues("management.endpoints.web.exposure.include=health")
                .run(context -> assertThat(context).hasSingleBean(TaskQueueEndpoint.class)
                        .doesNotHaveBean(TaskQueueEndpointWebExtension.class));
    }

    @Test
    void endpointBacksOffWhenUserDefinesOne() {
        try (SharedRedisStores redis = new SharedRedisStores()) {
            JsonMapper mapper = JsonMapper.builder().build();
            TaskRegistry registry = new TaskRegistry(mapper, "default");
            TaskQueueEndpoint mine = new TaskQueueEndpoint(redis.admin, "mine", registry, List::of, redis.results,
                    new DefaultTaskQueueOperations(redis.admin, new MessageCodec(mapper),
                            TaskCatalog.local(registry, mapper)), null, null, Show.NEVER);
            runner.withBean(TaskQueueEndpoint.class, () -> mine)
                    .run(context -> assertThat(context.getBean(TaskQueueEndpoint.class)).isSameAs(mine));
        }
    }

    @Test
    void endpointIsNotCreatedWithoutABroker() {
        runner.withPropertyValues("taskqueue.broker=inline")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Broker.class)
                        .doesNotHaveBean(QueueAdmin.class)
                        .doesNotHaveBean(TaskQueueEndpoint.class));
    }

    @Test
    void endpointIsNotCreatedWithoutTheActuator() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueEndpoint.class));
    }
}
