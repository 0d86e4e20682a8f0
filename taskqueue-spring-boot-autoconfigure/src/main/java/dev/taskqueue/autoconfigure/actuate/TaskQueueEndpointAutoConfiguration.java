package dev.taskqueue.autoconfigure.actuate;

import java.util.List;

import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueue} actuator endpoint, when the actuator is on the class path, the
 * application has a broker, and the endpoint is exposed ({@code management.endpoints.web.exposure.include}).
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ Broker.class, TaskRegistry.class })
public final class TaskQueueEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    TaskQueueEndpoint taskQueueEndpoint(Broker broker, TaskRegistry registry,
            ObjectProvider<RedisConnections> connections, ObjectProvider<TaskQueueWorkerLifecycle> lifecycle,
            ObjectProvider<ResultBackend> results) {
        return new TaskQueueEndpoint(broker, BrokerDescriptions.describe(broker, connections), registry, () -> {
            Worker worker = BrokerDescriptions.worker(lifecycle);
            return worker != null ? worker.settings().queueNames() : List.of();
        }, results.getIfAvailable());
    }
}
