package dev.taskqueue.autoconfigure;

import java.lang.management.ManagementFactory;
import java.time.Clock;

import dev.taskqueue.event.TaskEventPublisher;
import dev.taskqueue.redis.RedisEventLog;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.spring.TaskEventApplicationPublisher;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of task lifecycle events (sent, received, started, succeeded, failed, retried, revoked):
 * <ul>
 * <li>as Spring application events in the instance where they happen, unless {@code taskqueue.events.publish}
 * is false;</li>
 * <li>in the bounded Redis stream {@code {prefix}:events} that collects every instance's events, when
 * {@code taskqueue.events.stream.enabled} is true (read it at {@code GET /actuator/taskqueue/events}).</li>
 * </ul>
 * Both are task event listeners, which the auto-configured client and worker call.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class)
public final class TaskQueueEventsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "taskQueueApplicationEvents")
    @ConditionalOnBooleanProperty(name = "taskqueue.events.publish", matchIfMissing = true)
    TaskEventPublisher taskQueueApplicationEvents(ApplicationEventPublisher publisher) {
        return new TaskEventPublisher(new TaskEventApplicationPublisher(publisher), instanceName(), Clock.systemUTC());
    }

    /** What events name as their source: {@code pid@host}, as the JVM names itself. */
    static String instanceName() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /** The cluster-wide event stream in Redis. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty("taskqueue.events.stream.enabled")
    @ConditionalOnBean(RedisStores.class)
    static class EventStreamConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        RedisEventLog taskQueueEventLog(RedisStores stores, TaskQueueProperties properties) {
            return new RedisEventLog(stores, properties.getEvents().getStream().getMaxLength());
        }

        @Bean
        @ConditionalOnMissingBean(name = "taskQueueEventStream")
        TaskEventPublisher taskQueueEventStream(RedisEventLog eventLog) {
            return new TaskEventPublisher(eventLog, instanceName(), Clock.systemUTC());
        }
    }
}
