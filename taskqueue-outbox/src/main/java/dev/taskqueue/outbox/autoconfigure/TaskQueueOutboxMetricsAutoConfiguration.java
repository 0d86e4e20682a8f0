package dev.taskqueue.outbox.autoconfigure;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.metrics.OutboxMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Auto-configuration of the outbox's gauges, when Micrometer is on the class path and the outbox is configured. */
@AutoConfiguration(after = TaskQueueOutboxAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(JdbcOutboxStore.class)
public final class TaskQueueOutboxMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboxMetrics taskqueueOutboxMetrics(JdbcOutboxStore store) {
        return new OutboxMetrics(store, OutboxMetrics.DEFAULT_TTL);
    }
}
