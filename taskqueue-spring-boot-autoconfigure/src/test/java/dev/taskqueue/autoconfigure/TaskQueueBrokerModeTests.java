package dev.taskqueue.autoconfigure;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.autoconfigure.actuate.TaskQueueHealthContributorAutoConfiguration;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
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

    /**
     * The README's beans and readiness group work in the inline mode too (the bug: no TaskQueueOperations nor
     * TaskQueueScheduler bean, and "Health contributor 'taskqueue' ... does not exist" at start).
     */
    @Test
    void inlineModeOffersTheOperationsTheSchedulerAndTheHealthComponentTheReadmeUses() {
        runner.withConfiguration(AutoConfigurations.of(TaskQueueSchedulerAutoConfiguration.class,
                TaskQueueHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                HealthEndpointAutoConfiguration.class))
                .withBean(Reports.class)
                .withPropertyValues("taskqueue.broker=inline",
                        "management.endpoint.health.group.readiness.include=taskqueue")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskQueueOperations operations = context.getBean(TaskQueueOperations.class);
                    assertThat(operations.deadLetters("default", null, 10)).isEmpty();
                    assertThat(operations.catalog()).extracting(DeclaredTask::name).contains("test.greet",
                            "reports.hourly");
                    TaskQueueScheduler scheduler = context.getBean(TaskQueueScheduler.class);
                    assertThat(scheduler.schedules()).extracting(Scheduler.ScheduleInfo::name)
                            .containsExactly("reports.hourly");
                    scheduler.setEnabled("reports.hourly", false);
                    assertThat(scheduler.schedules().get(0).enabled()).isFalse();
                    assertThat(scheduler.isRunning()).as("ticks would run tasks in the middle of tests").isFalse();
                    HealthIndicator health = context.getBean("taskqueueHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                });
    }

    /** A periodic task, for the inline mode's scheduler. */
    static class Reports {

        @Task(name = "reports.hourly")
        @Periodic(cron = "@hourly")
        void hourly() {
        }
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
