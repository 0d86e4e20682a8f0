package dev.taskqueue.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.worker.Worker;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the context stops the worker gracefully, before the Redis connections close. */
class TaskQueueWorkerLifecycleTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TaskQueueAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(TestTasks.Sleeper.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void taskRunningAtCloseFinishesWithinTheShutdownTimeout() {
        runner.withPropertyValues("taskqueue.worker.shutdown-timeout=5s").run(context -> {
            TestTasks.Sleeper sleeper = context.getBean(TestTasks.Sleeper.class);
            TaskHandle<Void> handle = context.getBean(TaskClient.class).submit(TestTasks.Sleeper::sleep, 700L);
            assertThat(sleeper.started.await(10, TimeUnit.SECONDS)).isTrue();
            TaskQueueWorkerLifecycle lifecycle = context.getBean(TaskQueueWorkerLifecycle.class);

            context.close();

            assertThat(sleeper.finished).isTrue();
            assertThat(lifecycle.isRunning()).isFalse();
            assertThat(lifecycle.worker().state()).isEqualTo(Worker.State.STOPPED);
            assertThat(stateInRedis(handle.id())).isEqualTo(TaskState.SUCCESS);
        });
    }

    @Test
    void taskOutlivingTheShutdownTimeoutIsHandedBackToItsQueue() {
        runner.withPropertyValues("taskqueue.worker.shutdown-timeout=200ms").run(context -> {
            TestTasks.Sleeper sleeper = context.getBean(TestTasks.Sleeper.class);
            context.getBean(TaskClient.class).submit(TestTasks.Sleeper::sleep, 30_000L);
            assertThat(sleeper.started.await(10, TimeUnit.SECONDS)).isTrue();
            TaskQueueWorkerLifecycle lifecycle = context.getBean(TaskQueueWorkerLifecycle.class);

            context.close();

            assertThat(sleeper.finished).isFalse();
            assertThat(lifecycle.worker().state()).isEqualTo(Worker.State.STOPPED);
            QueueStats stats = statsInRedis("default");
            assertThat(stats.pending()).isEqualTo(1);
            assertThat(stats.active()).isZero();
        });
    }

    @Test
    void aRunningWorkerKeepsTheJvmAliveUntilItHasStopped() {
        runner.run(context -> {
            String workerId = context.getBean(TaskQueueWorkerLifecycle.class).worker().id();
            Thread keepAlive = keepAliveThread(workerId);
            assertThat(keepAlive).as("the keep-alive thread of worker %s", workerId).isNotNull();
            assertThat(keepAlive.isDaemon()).isFalse();

            context.close();

            keepAlive.join(10_000);
            assertThat(keepAlive.isAlive()).isFalse();
        });
    }

    @Test
    void keepingTheJvmAliveCanBeTurnedOff() {
        runner.withPropertyValues("taskqueue.worker.keep-alive=false").run(context -> assertThat(
                keepAliveThread(context.getBean(TaskQueueWorkerLifecycle.class).worker().id())).isNull());
    }

    /** With auto-startup off, tasks wait until the worker is started, and wait again once it is stopped. */
    @Test
    void aWorkerThatDoesNotStartWithTheContextRunsTasksOnceStarted() {
        runner.withBean(TestTasks.Greeter.class).withPropertyValues("taskqueue.worker.auto-startup=false")
                .run(context -> {
                    TaskQueueWorkerLifecycle lifecycle = context.getBean(TaskQueueWorkerLifecycle.class);
                    TaskHandle<String> handle = context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet,
                            "Ada");
                    assertThat(lifecycle.isRunning()).isFalse();
                    assertThat(lifecycle.worker()).isNull();
                    assertThat(statsInRedis("default").pending()).isEqualTo(1);

                    lifecycle.start();

                    assertThat(handle.get(TestTasks.WAIT)).isEqualTo("Hello Ada");
                    lifecycle.stop();
                    assertThat(lifecycle.worker().state()).isEqualTo(Worker.State.STOPPED);
                });
    }

    @Test
    void workerStopsBeforeTheRedisConnectionFactory() {
        runner.run(context -> assertThat(context.getBean(TaskQueueWorkerLifecycle.class).getPhase())
                .isGreaterThan(context.getBean(LettuceConnectionFactory.class).getPhase()));
    }

    @Test
    void workerPhaseMayTakeTheShutdownTimeoutPlusTheHandBack() {
        runner.withPropertyValues("taskqueue.worker.shutdown-timeout=40s").run(context -> {
            Object processor = context.getBean(AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME);
            assertThat(processor).isInstanceOf(DefaultLifecycleProcessor.class);
            assertThat(ReflectionTestUtils.getField(processor, "timeoutsForShutdownPhases"))
                    .asInstanceOf(InstanceOfAssertFactories.MAP)
                    .containsEntry(TaskQueueWorkerLifecycle.PHASE, Duration.ofSeconds(40)
                            .plus(TaskQueueWorkerLifecycle.HAND_BACK_ALLOWANCE).toMillis());
        });
    }

    private static @Nullable Thread keepAliveThread(String workerId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("taskqueue-keep-alive-" + workerId)).findFirst()
                .orElse(null);
    }

    private static TaskState stateInRedis(String taskId) {
        try (SharedRedisBroker redis = new SharedRedisBroker()) {
            return redis.results.find("default", taskId).state();
        }
    }

    private static QueueStats statsInRedis(String queue) {
        try (SharedRedisBroker redis = new SharedRedisBroker()) {
            return redis.broker.stats(queue);
        }
    }
}
