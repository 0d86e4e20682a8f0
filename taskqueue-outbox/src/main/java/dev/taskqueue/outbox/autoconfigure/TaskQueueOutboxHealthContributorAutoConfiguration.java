package dev.taskqueue.outbox.autoconfigure;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.health.OutboxHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueueOutbox} health component, when Spring Boot's health module is on the class
 * path, the outbox is configured, and {@code management.health.taskqueue-outbox.enabled} is not false.
 *
 * <p>{@code @ConditionalOnEnabledHealthIndicator} sits on the bean method, not beside the class-level
 * {@code @ConditionalOnClass}: on the class, its own class would be loaded to evaluate it even when the health
 * module is absent, and the application would fail to start.
 */
@AutoConfiguration(after = TaskQueueOutboxAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.AbstractHealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
@ConditionalOnBean(JdbcOutboxStore.class)
public final class TaskQueueOutboxHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "taskqueueOutboxHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue-outbox")
    OutboxHealthIndicator taskqueueOutboxHealthIndicator(JdbcOutboxStore store,
            TaskQueueOutboxProperties properties) {
        return new OutboxHealthIndicator(store, properties.getMaxLag());
    }
}
