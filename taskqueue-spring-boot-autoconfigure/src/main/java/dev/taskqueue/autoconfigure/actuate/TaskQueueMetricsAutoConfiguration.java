package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.actuate.metrics.ScheduleMetrics;
import dev.taskqueue.actuate.metrics.TaskQueueMetrics;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of taskqueue's Micrometer meters, when the application has a {@link MeterRegistry}. The
 * {@link TaskQueueMetrics} bean is a task event listener, so the auto-configured client and worker feed it, and a
 * meter binder, so Boot binds it to the registry. With schedules kept in Redis, {@link ScheduleMetrics} adds each
 * schedule's ticks (in the inline mode schedules do not tick, so there is nothing to watch).
 */
@AutoConfiguration(after = { TaskQueueAutoConfiguration.class, TaskQueueSchedulerAutoConfiguration.class },
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, TaskRegistry.class })
public final class TaskQueueMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskQueueMetrics taskQueueMetrics(ObjectProvider<QueueAdmin> admin, TaskRegistry registry,
            TaskQueueProperties properties, ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        TaskQueueProperties.Metrics metrics = properties.getMetrics();
        return new TaskQueueMetrics(admin.getIfAvailable(), registry, metrics.getQueueStatsTtl(),
                metrics.getChordStalledAfter(), () -> BrokerDescriptions.worker(lifecycle));
    }

    @Bean
    @ConditionalOnBean({ TaskQueueScheduler.class, ScheduleStore.class })
    @ConditionalOnMissingBean
    ScheduleMetrics taskQueueScheduleMetrics(TaskQueueScheduler scheduler, TaskQueueProperties properties) {
        return new ScheduleMetrics(scheduler, properties.getMetrics().getQueueStatsTtl());
    }
}
