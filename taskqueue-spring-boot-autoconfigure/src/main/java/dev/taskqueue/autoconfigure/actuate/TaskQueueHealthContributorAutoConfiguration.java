package dev.taskqueue.autoconfigure.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.taskqueue.actuate.health.QueueLagThresholds;
import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueue} health component, when Spring Boot's health module is on the class
 * path, the application has a broker, and {@code management.health.taskqueue.enabled} is not false. Its lag
 * thresholds come from {@code taskqueue.health.*}.
 *
 * <p>{@code @ConditionalOnEnabledHealthIndicator} sits on the bean method, not beside the class-level
 * {@code @ConditionalOnClass}: on the class, its own class would be loaded to evaluate it even when the health
 * module is absent, and the application would fail to start.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.AbstractHealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
@ConditionalOnBean(TaskRegistry.class)
public final class TaskQueueHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "taskqueueHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue")
    @ConditionalOnBean(Broker.class)
    TaskQueueHealthIndicator taskqueueHealthIndicator(Broker broker, ObjectProvider<RedisConnections> connections,
            ObjectProvider<TaskQueueWorkerLifecycle> lifecycle, TaskRegistry registry,
            TaskQueueProperties properties, ObjectProvider<TaskQueueScheduler> scheduler) {
        return new TaskQueueHealthIndicator(broker, BrokerDescriptions.describe(broker, connections),
                () -> BrokerDescriptions.worker(lifecycle), () -> {
                    TaskQueueWorkerLifecycle found = lifecycle.getIfAvailable();
                    return found != null && found.isRunning();
                }, () -> BrokerDescriptions.consumedOrDeclaredQueues(lifecycle, registry),
                thresholds(properties.getHealth()), () -> {
                    TaskQueueScheduler found = scheduler.getIfAvailable();
                    return found != null && found.isRunning() ? found.problems() : Map.of();
                });
    }

    /**
     * The inline mode has no broker or worker to check; the component exists all the same, UP, so that a readiness
     * group that includes it works in every mode.
     */
    @Bean(name = "taskqueueHealthIndicator")
    @ConditionalOnMissingBean(name = "taskqueueHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue")
    @ConditionalOnProperty(name = "taskqueue.broker", havingValue = "inline")
    HealthIndicator taskqueueInlineHealthIndicator() {
        return () -> Health.up().withDetail("broker", "inline: tasks run in the thread that submits them").build();
    }

    private static QueueLagThresholds thresholds(TaskQueueProperties.Health health) {
        Map<String, Duration> perQueue = new LinkedHashMap<>();
        health.getQueues().forEach((queue, settings) -> {
            if (settings.getMaxLag() != null) {
                perQueue.put(queue, settings.getMaxLag());
            }
        });
        return new QueueLagThresholds(health.getMaxQueueLag(), perQueue,
                new Status(health.getLagStatus().trim().toUpperCase(Locale.ROOT)));
    }
}
