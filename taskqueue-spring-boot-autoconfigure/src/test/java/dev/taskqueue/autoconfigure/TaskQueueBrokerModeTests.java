package dev.taskqueue.autoconfigure;

import java.time.Duration;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.Periodic;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskState;
import dev.taskqueue.autoconfigure.actuate.TaskQueueHealthContributorAutoConfiguration;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** The mode that needs no Redis (inline), and what is left of the removed in-JVM broker: a clear error. */
@ExtendWith(OutputCaptureExtension.class)
class TaskQueueBrokerModeTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class))
            .withBean(TestTasks.Greeter.class);

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

    /** A retry runs again at once, in the caller's thread, before submit returns. */
    @Test
    void inlineModeRunsRetriesAtOnce() {
        runner.withBean(TestTasks.Retrier.class).withPropertyValues("taskqueue.broker=inline")
                .run(context -> assertThat(context.getBean(TaskClient.class).submit(TestTasks.Retrier::retryTwice)
                        .get(Duration.ZERO)).isEqualTo(3));
    }

    /** Inline tasks run as a worker of these properties would run them: here, one retry at most. */
    @Test
    void inlineModeBoundsRetriesAsTheRetryPropertiesSay() {
        runner.withBean(TestTasks.Retrier.class)
                .withPropertyValues("taskqueue.broker=inline", "taskqueue.retry.max-retries=1")
                .run(context -> assertThat(context.getBean(TaskClient.class).submit(TestTasks.Retrier::retryTwice)
                        .state()).isEqualTo(TaskState.FAILURE));
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
                        .hasMessageContaining("taskqueue.broker=inline"));
    }

    /** An application of an earlier version, whose tests ran on the removed in-JVM broker, is told what to use. */
    @Test
    void theRemovedMemoryBrokerFailsTheStartupSayingWhatToUseInstead(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatException().isThrownBy(() -> application.run("--taskqueue.broker=memory",
                "--spring.main.banner-mode=off"));

        assertThat(output).contains("APPLICATION FAILED TO START")
                .containsPattern("taskqueue.broker=memory \\(.*commandLineArgs.*\\) is no longer supported")
                .contains(RemovedBrokerFailureAnalyzer.ACTION);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TaskQueueAutoConfiguration.class)
    static class Application {

    }
}
