package dev.taskqueue.autoconfigure.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;

import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class TaskQueueHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueHealthContributorAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis());

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void healthIsUpWhenRedisAnswersAndShowsTheWorker() {
        runner.run(context -> {
            assertThat(context).hasBean("taskqueueHealthIndicator");
            String workerId = context.getBean(TaskQueueWorkerLifecycle.class).worker().id();

            Health health = context.getBean(TaskQueueHealthIndicator.class).health(true);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("broker", "redis 127.0.0.1:" + SharedRedis.port())
                    .containsEntry("worker", workerId).containsEntry("workerState", "RUNNING")
                    .containsKey("activeTasks");
        });
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
        runner.withBean("taskqueueHealthIndicator", TaskQueueHealthIndicator.class,
                () -> new TaskQueueHealthIndicator(new InMemoryBroker(Clock.systemUTC()),
                        "mine", () -> null))
                .run(context -> assertThat(context.getBean(TaskQueueHealthIndicator.class).health(true).getDetails())
                        .containsEntry("broker", "mine"));
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
