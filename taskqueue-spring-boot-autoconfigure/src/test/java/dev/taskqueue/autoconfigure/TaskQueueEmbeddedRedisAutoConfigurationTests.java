package dev.taskqueue.autoconfigure;

import dev.taskqueue.TaskClient;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class TaskQueueEmbeddedRedisAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskQueueEmbeddedRedisAutoConfiguration.class,
                    DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class))
            .withPropertyValues("taskqueue.worker.poll-timeout=500ms", "taskqueue.worker.shutdown-timeout=2s")
            .withBean(TestTasks.Greeter.class);

    @Test
    void embeddedRedisStartsWhenNoneIsConfiguredAndTasksRunOnIt() {
        assumeFalse(somethingAnswersOnTheDefaultPort(), "something listens on localhost:6379");
        runner.run(context -> {
            assertThat(context).hasSingleBean(LocalRedisServer.class);
            int port = context.getBean(LocalRedisServer.class).port();
            assertThat(context.getBean(DataRedisConnectionDetails.class).getStandalone().getPort()).isEqualTo(port);
            assertThat(context.getBean(LettuceConnectionFactory.class).getPort()).isEqualTo(port);
            assertThat(context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT))
                    .isEqualTo("Hello Ada");
        });
    }

    @Test
    void embeddedRedisIsNotStartedWhenARedisHostIsConfigured() {
        runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + SharedRedis.port())
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(LocalRedisServer.class);
                    assertThat(context.getBean(LettuceConnectionFactory.class).getPort())
                            .isEqualTo(SharedRedis.port());
                });
    }

    /** YAML lists bind as {@code nodes[0]}, {@code nodes[1]}: a Cluster configured so is configured all the same. */
    @Test
    void embeddedRedisIsNotStartedWhenClusterNodesAreAYamlList() {
        assumeFalse(somethingAnswersOnTheDefaultPort(), "something listens on localhost:6379");
        ApplicationContextRunner conditionOnly = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TaskQueueEmbeddedRedisAutoConfiguration.class));
        conditionOnly.run(context -> assertThat(context).hasSingleBean(LocalRedisServer.class));
        conditionOnly.withPropertyValues("spring.data.redis.cluster.nodes[0]=127.0.0.1:7000",
                "spring.data.redis.cluster.nodes[1]=127.0.0.1:7001")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LocalRedisServer.class));
    }

    @Test
    void embeddedRedisIsNotStartedWhenDisabled() {
        runner.withPropertyValues("taskqueue.embedded-redis.enabled=false", "taskqueue.worker.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LocalRedisServer.class));
    }

    @Test
    void embeddedRedisIsNotStartedInTheInlineMode() {
        runner.withPropertyValues("taskqueue.broker=inline")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LocalRedisServer.class));
    }

    @Test
    void embeddedRedisIsNotStartedWithoutEmbeddedRedisOnTheClassPath() {
        runner.withPropertyValues("taskqueue.worker.enabled=false")
                .withClassLoader(new FilteredClassLoader("redis.embedded"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LocalRedisServer.class));
    }

    private static boolean somethingAnswersOnTheDefaultPort() {
        return TaskQueueEmbeddedRedisAutoConfiguration.NoRedisConfiguredCondition.answers("localhost", 6379);
    }
}
