package dev.taskqueue.autoconfigure.actuate;

import java.util.List;

import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpointWebExtension;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueEventsAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.event.TaskEventLog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueue} actuator endpoint, when the actuator is on the class path, the
 * application has a broker, and the endpoint is exposed ({@code management.endpoints.web.exposure.include}). Its
 * access is read-only unless {@code management.endpoint.taskqueue.access=unrestricted}. Over HTTP, the
 * {@link TaskQueueEndpointWebExtension} gives its answers REST status codes. What tasks carry (arguments, results,
 * error messages, ...) is hidden unless {@code management.endpoint.taskqueue.show-values} shows it
 * ({@link TaskQueueEndpointProperties}).
 */
@AutoConfiguration(after = { TaskQueueAutoConfiguration.class, TaskQueueEventsAutoConfiguration.class,
        TaskQueueSchedulerAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ Broker.class, TaskRegistry.class, TaskQueueOperations.class })
@EnableConfigurationProperties(TaskQueueEndpointProperties.class)
public final class TaskQueueEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    TaskQueueEndpoint taskQueueEndpoint(Broker broker, TaskRegistry registry, TaskQueueOperations operations,
            ObjectProvider<RedisConnections> connections, ObjectProvider<TaskQueueWorkerLifecycle> lifecycle,
            ObjectProvider<ResultBackend> results, ObjectProvider<TaskEventLog> events,
            ObjectProvider<TaskQueueScheduler> scheduler, TaskQueueEndpointProperties properties) {
        return new TaskQueueEndpoint(broker, BrokerDescriptions.describe(broker, connections), registry, () -> {
            Worker worker = BrokerDescriptions.worker(lifecycle);
            return worker != null ? worker.settings().queueNames() : List.of();
        }, results.getIfAvailable(), operations, events.getIfAvailable(), scheduler.getIfAvailable(),
                properties.getShowValues());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(TaskQueueEndpoint.class)
    @ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
    TaskQueueEndpointWebExtension taskQueueEndpointWebExtension(TaskQueueEndpoint endpoint,
            TaskQueueEndpointProperties properties) {
        return new TaskQueueEndpointWebExtension(endpoint, properties.getShowValues(), properties.getRoles());
    }
}
