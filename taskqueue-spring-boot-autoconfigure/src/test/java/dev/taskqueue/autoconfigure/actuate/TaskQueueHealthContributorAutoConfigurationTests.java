package dev.taskqueue.autoconfigure.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.worker.Worker;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskQueueHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueHealthContributorAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(TestTasks.Greeter.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    /** A task sent to a queue no worker consumes (a typo, a forgotten queue) is named, without a status change. */
    @Test
    void aQueueWithPendingTasksAndNoLiveConsumerIsReported() {
        runner.run(context -> {
            TaskClient client = context.getBean(TaskClient.class);
            client.withOptions(TaskOptions.defaults().queue("images-bulk")).submit(TestTasks.Greeter::greet, "Ada");
            client.submit(TestTasks.Greeter::greet, "Bob").get(TestTasks.WAIT);

            Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("unconsumed",
                    Map.of("images-bulk", "1 pending task(s) and no live worker consumes it"));
        });
    }

    /** A worker loop that fails on what it reads (not an outage) is named until the data is mended. */
    @Test
    void whatKeepsFailingInTheWorkerIsShownUntilItWorksAgain() {
        SharedRedis.admin().sync().zadd("{taskqueue:default}:d", 1, "due");
        SharedRedis.admin().sync().set("{taskqueue:default}:dp", "not a hash"); // its promotion fails
        runner.run(context -> {
            TaskQueueHealthIndicator indicator = context.getBean(TaskQueueHealthIndicator.class);

            await().atMost(WAIT).until(() -> indicator.health(true).getDetails().containsKey("failing"));
            assertThat(indicator.health(true).getDetails()).extractingByKey("failing", InstanceOfAssertFactories.MAP)
                    .containsOnlyKeys("promote the delayed tasks of queue 'default'");
            SharedRedis.admin().sync().del("{taskqueue:default}:dp");
            await().atMost(WAIT).until(() -> !indicator.health(true).getDetails().containsKey("failing"));
        });
    }

    @Test
    void healthIsUpWhenRedisAnswersAndShowsTheWorkerAndItsQueues() {
        runner.run(context -> {
            assertThat(context).hasBean("taskqueueHealthIndicator");
            String workerId = context.getBean(TaskQueueWorkerLifecycle.class).worker().id();

            Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("broker", "redis 127.0.0.1:" + SharedRedis.port())
                    .containsEntry("worker", Map.of("id", workerId, "state", "RUNNING", "active", 0,
                            "concurrency", 4))
                    .containsEntry("queues", Map.of("default", Map.of("pending", 0L), "failing",
                            Map.of("pending", 0L)))
                    .doesNotContainKey("lagging");
        });
    }

    @Test
    void aQueueWaitingLongerThanItsThresholdMakesTheStatusOutOfService() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.health.queues.default.max-lag=1ms")
                .run(context -> {
                    TaskQueueHealthIndicator indicator = context.getBean(TaskQueueHealthIndicator.class);
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

                    await().atMost(WAIT).until(() -> indicator.health(true).getStatus()
                            .equals(Status.OUT_OF_SERVICE));
                    Health health = indicator.health(true);
                    assertThat(health.getDetails()).extractingByKey("lagging", InstanceOfAssertFactories.MAP)
                            .containsOnlyKeys("default");
                    assertThat(health.getDetails()).extractingByKey("queues", InstanceOfAssertFactories.MAP)
                            .extractingByKey("default", InstanceOfAssertFactories.MAP)
                            .containsEntry("pending", 1L).containsEntry("maxLag", "PT0.001S")
                            .containsKey("oldestPendingAge");
                    context.getBean(Broker.class).purge("default");
                    assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
                });
    }

    @Test
    void theGlobalThresholdAppliesToEveryQueueAndTheLagStatusIsConfigurable() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.health.max-queue-lag=1ms",
                "taskqueue.health.queues.default.max-lag=1h", "taskqueue.health.lag-status=degraded")
                .run(context -> {
                    TaskQueueHealthIndicator indicator = context.getBean(TaskQueueHealthIndicator.class);
                    TaskClient client = context.getBean(TaskClient.class);
                    client.submit(TestTasks.Greeter::greet, "Ada");
                    client.withOptions(TaskOptions.defaults().queue("failing")).submit(TestTasks.Greeter::greet,
                            "Bob");

                    await().atMost(WAIT).until(() -> indicator.health(true).getStatus()
                            .equals(new Status("DEGRADED")));
                    assertThat(indicator.health(true).getDetails())
                            .extractingByKey("lagging", InstanceOfAssertFactories.MAP).containsOnlyKeys("failing");
                });
    }

    @Test
    void aLagStatusOfTheApplicationsOwnMustBeInAStatusOrderOfTheHealthEndpoint() {
        ApplicationContextRunner withEndpoint = runner.withConfiguration(AutoConfigurations.of(
                HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
                HealthEndpointAutoConfiguration.class))
                .withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.health.lag-status=degraded");
        withEndpoint.run(context -> assertThat(context).getFailure().rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("taskqueue.health.lag-status").hasMessageContaining("DEGRADED"));
        withEndpoint.withPropertyValues("management.endpoint.health.status.order=down,degraded,out-of-service,up")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(HealthEndpointProperties.class)
                        .hasSingleBean(TaskQueueHealthIndicator.class));
        withEndpoint.withPropertyValues("management.endpoint.health.group.readiness.include=taskqueue",
                "management.endpoint.health.group.readiness.status.order=Degraded,DOWN,UP")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TaskQueueHealthIndicator.class));
        withEndpoint.withPropertyValues("taskqueue.health.lag-status=down")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TaskQueueHealthIndicator.class));
    }

    @Test
    void aPausedQueueDoesNotCountAsLagging() {
        runner.withPropertyValues("taskqueue.worker.enabled=false", "taskqueue.health.max-queue-lag=1ms")
                .run(context -> {
                    Broker broker = context.getBean(Broker.class);
                    broker.pause("default");
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
                    await().atMost(WAIT).until(() -> {
                        Long age = broker.stats("default").oldestPendingAgeMillis();
                        return age != null && age > 1; // past the threshold
                    });

                    Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).extractingByKey("queues", InstanceOfAssertFactories.MAP)
                            .extractingByKey("default", InstanceOfAssertFactories.MAP).containsEntry("paused", true);
                });
    }

    @Test
    void healthIsDownWhenTheWorkerStoppedWhileTheApplicationRuns() {
        runner.run(context -> {
            Worker worker = context.getBean(TaskQueueWorkerLifecycle.class).worker();
            worker.stop();

            Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) health.getDetails().get("error")).contains("is STOPPED although the application runs");
        });
    }

    /** After an OutOfMemoryError the worker halts; the application runs on, and its health says why it is DOWN. */
    @Test
    void healthIsDownAfterAFatalErrorOfTheWorkerWhileTheApplicationRuns() {
        runner.withBean(OutOfMemory.class).withPropertyValues("taskqueue.worker.on-fatal-error=stop").run(context -> {
            context.getBean(TaskClient.class).submit(OutOfMemory::exhaust);
            Worker worker = context.getBean(TaskQueueWorkerLifecycle.class).worker();
            await().atMost(WAIT).until(() -> worker.state() == Worker.State.FAILED);

            Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

            assertThat(context.isRunning()).isTrue();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) health.getDetails().get("error")).contains("is FAILED although the application runs")
                    .contains("fatal error (java.lang.OutOfMemoryError: Java heap space (thrown by the test) in thread "
                            + "taskqueue-task-")
                    .contains("taskqueue.worker.on-fatal-error=exit");
        });
    }

    /** A task that meets the error a JVM meets when its heap is exhausted. */
    static class OutOfMemory {

        @Task(name = "test.out-of-memory")
        public void exhaust() {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        }
    }

    @Test
    void healthIsDownWhenRedisIsUnreachable() throws IOException {
        runner.withPropertyValues("spring.data.redis.port=" + closedPort(), "spring.data.redis.timeout=300ms",
                "spring.data.redis.connect-timeout=300ms", "taskqueue.worker.enabled=false").run(context -> {
                    Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).doesNotContainKey("worker");
                    assertThat((String) health.getDetails().get("error")).contains("does not answer");
                });
    }

    @Test
    void healthIndicatorIsNotCreatedWhenDisabled() {
        runner.withPropertyValues("management.health.taskqueue.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueHealthIndicator.class));
    }

    @Test
    void healthIndicatorBacksOffWhenUserDefinesOne() {
        runner.withUserConfiguration(OwnHealthIndicator.class)
                .run(context -> assertThat(context.getBean(TaskQueueHealthIndicator.class).health(true).getDetails())
                        .containsEntry("broker", "mine"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHealthIndicator {

        @Bean
        TaskQueueHealthIndicator taskqueueHealthIndicator(Broker broker) {
            return new TaskQueueHealthIndicator(broker, "mine", () -> null);
        }
    }

    @Test
    void healthIndicatorIsNotCreatedWithoutTheHealthModule() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueHealthIndicator.class));
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
