package dev.taskqueue.autoconfigure;

import dev.taskqueue.TaskClient;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** The brokers that need no Redis: memory and inline. */
class TaskQueueBrokerModeTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class))
            .withBean(TestTasks.Greeter.class);

    @Test
    void memoryBrokerServesAsBrokerAndResultBackendAndRunsTasks() {
        runner.withPropertyValues("taskqueue.broker=memory").run(context -> {
            assertThat(context).hasSingleBean(InMemoryBroker.class).doesNotHaveBean(RedisConnections.class)
                    .hasSingleBean(TaskQueueWorkerLifecycle.class);
            assertThat(context.getBean(Broker.class)).isSameAs(context.getBean(ResultBackend.class));
            assertThat(context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT))
                    .isEqualTo("Hello Ada");
        });
    }

    @Test
    void inlineModeRunsTasksInTheCallersThreadWithoutBrokerOrWorker() {
        runner.withPropertyValues("taskqueue.broker=inline").run(context -> {
            assertThat(context).doesNotHaveBean(Broker.class).doesNotHaveBean(ResultBackend.class)
                    .doesNotHaveBean(TaskQueueWorkerLifecycle.class);
            assertThat(context.getBean(TaskClient.class)).isInstanceOf(InlineTaskClient.class);
            assertThat(context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT))
                    .isEqualTo("Hello Ada");
            assertThat(context.getBean(TestTasks.Greeter.class).lastThread.get()).isSameAs(Thread.currentThread());
        });
    }

    @Test
    void inlineModeNeedsNeitherRedisNorSpringDataRedis() {
        runner.withPropertyValues("taskqueue.broker=inline")
                .withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TaskClient.class));
    }

    @Test
    void redisBrokerWithoutSpringDataRedisFailsWithAClearMessage() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("taskqueue has no Broker")
                        .hasMessageContaining("taskqueue.broker=memory or inline"));
    }
}
