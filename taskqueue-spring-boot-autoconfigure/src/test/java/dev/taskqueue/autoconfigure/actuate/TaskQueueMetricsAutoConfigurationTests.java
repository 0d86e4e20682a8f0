package dev.taskqueue.autoconfigure.actuate;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.actuate.metrics.TaskQueueMeters;
import dev.taskqueue.actuate.metrics.TaskQueueMetrics;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.testing.SharedRedis;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class TaskQueueMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class, TaskQueueMetricsAutoConfiguration.class))
            .withPropertyValues(TestTasks.redis())
            .withBean(SimpleMeterRegistry.class)
            .withBean(TestTasks.Greeter.class);

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void countersAndTimerAreRecordedAfterTasksRun() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TaskClient client = context.getBean(TaskClient.class);
            assertThat(client.submit(TestTasks.Greeter::greet, "Ada").get(WAIT)).isEqualTo("Hello Ada");
            assertThatExceptionOfType(TaskFailedException.class)
                    .isThrownBy(() -> client.submit(TestTasks.Greeter::fail).get(WAIT));
            // The outcome is recorded (and the waiter woken) just after the listener heard of it; allow a moment.
            await().atMost(Duration.ofSeconds(5)).until(() -> meters.find(TaskQueueMeters.COMPLETED)
                    .tag(TaskQueueMeters.TASK, "test.fail").counter() != null);

            assertThat(meters.get(TaskQueueMeters.SUBMITTED).tags(TaskQueueMeters.TASK, "test.greet",
                    TaskQueueMeters.QUEUE, "default").counter().count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.COMPLETED).tags(TaskQueueMeters.TASK, "test.greet",
                    TaskQueueMeters.QUEUE, "default", TaskQueueMeters.OUTCOME, "success").counter().count())
                    .isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.COMPLETED).tags(TaskQueueMeters.TASK, "test.fail",
                    TaskQueueMeters.QUEUE, "failing", TaskQueueMeters.OUTCOME, "failure").counter().count())
                    .isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.DURATION).tags(TaskQueueMeters.TASK, "test.greet",
                    TaskQueueMeters.OUTCOME, "success").timer().count()).isEqualTo(1);
        });
    }

    @Test
    void queueGaugesReadTheBrokersCounts() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Bob");

            assertThat(meters.get(TaskQueueMeters.QUEUE_PENDING).tag(TaskQueueMeters.QUEUE, "default").gauge()
                    .value()).isEqualTo(2);
            assertThat(meters.get(TaskQueueMeters.QUEUE_ACTIVE).tag(TaskQueueMeters.QUEUE, "default").gauge()
                    .value()).isZero();
            assertThat(meters.get(TaskQueueMeters.QUEUE_OLDEST_AGE).tag(TaskQueueMeters.QUEUE, "default").gauge()
                    .value()).isGreaterThanOrEqualTo(0);
            assertThat(meters.find(TaskQueueMeters.QUEUE_DEAD).tag(TaskQueueMeters.QUEUE, "failing").gauge())
                    .isNotNull();
        });
    }

    @Test
    void gaugesShareOneSnapshotOfTheQueueCounts() {
        InMemoryBroker memory = new InMemoryBroker(Clock.systemUTC());
        AtomicInteger statsCalls = new AtomicInteger();
        Broker counting = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(),
                new Class<?>[] { Broker.class }, (proxy, method, args) -> {
                    if (method.getName().equals("stats")) {
                        statsCalls.incrementAndGet();
                    }
                    try {
                        return method.invoke(memory, args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        ResultBackend results = new ResultBackend() {

            @Override
            public TaskInfo find(String queue, String taskId) {
                return memory.find(queue, taskId);
            }

            @Override
            public CompletableFuture<TaskInfo> whenFinished(String queue, String taskId) {
                return memory.whenFinished(queue, taskId);
            }
        };
        runner.withPropertyValues("taskqueue.worker.enabled=false").withBean(Broker.class, () -> counting)
                .withBean(ResultBackend.class, () -> results).run(context -> {
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada");

                    for (int scrape = 0; scrape < 3; scrape++) {
                        meters.find(TaskQueueMeters.QUEUE_PENDING).gauges().forEach(Gauge::value);
                        meters.find(TaskQueueMeters.QUEUE_DEAD).gauges().forEach(Gauge::value);
                        meters.find(TaskQueueMeters.QUEUE_OLDEST_AGE).gauges().forEach(Gauge::value);
                    }

                    assertThat(meters.get(TaskQueueMeters.QUEUE_PENDING).tag(TaskQueueMeters.QUEUE, "default")
                            .gauge().value()).isEqualTo(1);
                    assertThat(statsCalls).hasValue(1); // one refresh: one bulk call for "default" and "failing"
                });
    }

    @Test
    void refusedOutcomesAreCountedAndForeignTaskNamesStayBounded() {
        runner.withPropertyValues("taskqueue.worker.enabled=false").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            TaskQueueMetrics metrics = context.getBean(TaskQueueMetrics.class);

            metrics.outcomeRefused("t1", "test.greet", "default");
            metrics.outcomeRefused("t2", "someone.elses.task", "default");
            metrics.outcomeRefused("t3", null, "default");

            assertThat(meters.get(TaskQueueMeters.REFUSED).tag(TaskQueueMeters.TASK, "test.greet").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.get(TaskQueueMeters.REFUSED).tag(TaskQueueMeters.TASK, TaskQueueMeters.UNKNOWN_TASK)
                    .counter().count()).isEqualTo(2);
        });
    }

    @Test
    void inlineTasksAreCountedWithoutQueueGauges() {
        runner.withPropertyValues("taskqueue.broker=inline").run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            context.getBean(TaskClient.class).submit(TestTasks.Greeter::greet, "Ada").get(WAIT);

            assertThat(meters.get(TaskQueueMeters.COMPLETED).tag(TaskQueueMeters.OUTCOME, "success").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.find(TaskQueueMeters.QUEUE_PENDING).gauges()).isEmpty();
        });
    }

    @Test
    void metricsAreNotCreatedWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskQueueMetrics.class));
    }
}
