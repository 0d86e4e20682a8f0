package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueue} health component, when Spring Boot's health module is on the class
 * path, the application has a broker, and {@code management.health.taskqueue.enabled} is not false.
 *
 * <p>{@code @ConditionalOnEnabledHealthIndicator} sits on the bean method, not beside the class-level
 * {@code @ConditionalOnClass}: on the class, its own class would be loaded to evaluate it even when the health
 * module is absent, and the application would fail to start.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.AbstractHealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
@ConditionalOnBean(Broker.class)
public final class TaskQueueHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "taskqueueHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue")
    TaskQueueHealthIndicator taskqueueHealthIndicator(Broker broker, ObjectProvider<RedisConnections> connections,
            ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        return new TaskQueueHealthIndicator(broker, BrokerDescriptions.describe(broker, connections),
                () -> BrokerDescriptions.worker(lifecycle));
    }
}
