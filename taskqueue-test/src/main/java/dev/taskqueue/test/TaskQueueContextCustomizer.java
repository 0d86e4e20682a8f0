package dev.taskqueue.test;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.schedule.ManualClock;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * What {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue} does to each application context it is on, before the
 * context is refreshed: its properties (a key prefix of its own, the worker's start), and its beans (the test Redis's
 * connection details, the schedules' clock, the tester, the listener the tester hears runs with, the deletion of its
 * keys at close). Equal for equal worker modes, so that Spring's test context cache shares such contexts.
 */
final class TaskQueueContextCustomizer implements ContextCustomizer {

    /** The name of the {@link TaskQueueTester} bean. */
    static final String TESTER_BEAN = "taskQueueTester";

    private final WorkerMode worker;

    TaskQueueContextCustomizer(WorkerMode worker) {
        this.worker = worker;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
        if (!(context instanceof BeanDefinitionRegistry registry)) {
            throw new IllegalStateException("@AutoConfigureTaskQueue registers beans, and this test's application "
                    + "context (" + context.getClass().getName() + ") takes none: use @SpringBootTest");
        }
        String keyPrefix = TestRedis.newKeyPrefix();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("taskqueueTest", Map.of(
                "taskqueue.key-prefix", keyPrefix,
                "taskqueue.worker.auto-startup", Boolean.toString(worker == WorkerMode.RUNNING),
                "taskqueue.worker.keep-alive", "false")));

        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        ManualClock clock = new ManualClock(Instant.ofEpochMilli(System.currentTimeMillis()));
        Executions executions = new Executions();
        RootBeanDefinition redis = definition(DataRedisConnectionDetails.class, TestRedisConnectionDetails::new);
        redis.setPrimary(true);
        registry.registerBeanDefinition("taskQueueTestRedisConnectionDetails", redis);
        // Injected by its name only: an application's own Clock bean stays the one its beans get by type.
        RootBeanDefinition schedulesClock = definition(Clock.class, () -> clock);
        schedulesClock.setDefaultCandidate(false);
        registry.registerBeanDefinition(TaskQueueSchedulerAutoConfiguration.CLOCK_BEAN_NAME, schedulesClock);
        registry.registerBeanDefinition("taskQueueTestExecutions", definition(TaskEventListener.class,
                () -> executions));
        registry.registerBeanDefinition(TESTER_BEAN, definition(TaskQueueTester.class, () -> new TaskQueueTester(
                new ApplicationEngine(beans, worker == WorkerMode.MANUAL), clock, executions)));
        registry.registerBeanDefinition("taskQueueTestKeys", definition(TestKeys.class, () -> new TestKeys(beans)));
    }

    private static <T> RootBeanDefinition definition(Class<T> type, Supplier<T> instance) {
        return new RootBeanDefinition(type, instance);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TaskQueueContextCustomizer customizer && customizer.worker == worker;
    }

    @Override
    public int hashCode() {
        return worker.hashCode();
    }
}
