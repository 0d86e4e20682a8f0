package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpointWebExtension;
import dev.taskqueue.actuate.view.TaskQueueActions;
import dev.taskqueue.actuate.view.TaskQueueReadModel;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueEventsAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.internal.TaskRegistry;

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
 * application has a {@link QueueAdmin}, and the endpoint is exposed
 * ({@code management.endpoints.web.exposure.include}). Its access is read-only unless
 * {@code management.endpoint.taskqueue.access=unrestricted}. Over HTTP, the
 * {@link TaskQueueEndpointWebExtension} gives its answers REST status codes. What tasks carry (arguments, results,
 * error messages, ...) is hidden unless {@code management.endpoint.taskqueue.show-values} shows it
 * ({@link TaskQueueEndpointProperties}).
 */
@AutoConfiguration(after = { TaskQueueAutoConfiguration.class, TaskQueueEventsAutoConfiguration.class,
        TaskQueueSchedulerAutoConfiguration.class, TaskQueueViewsAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ QueueAdmin.class, TaskRegistry.class, TaskQueueOperations.class })
@EnableConfigurationProperties(TaskQueueEndpointProperties.class)
public final class TaskQueueEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    TaskQueueEndpoint taskQueueEndpoint(QueueAdmin admin, TaskQueueReadModel model, TaskQueueActions actions,
            TaskQueueEndpointProperties properties) {
        return new TaskQueueEndpoint(model, actions, admin.description(), properties.getShowValues());
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
