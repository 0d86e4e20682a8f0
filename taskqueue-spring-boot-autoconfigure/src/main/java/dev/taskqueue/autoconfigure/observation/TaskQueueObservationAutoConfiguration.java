package dev.taskqueue.autoconfigure.observation;

import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.observation.TaskExecutionObservationConvention;
import dev.taskqueue.observation.TaskQueueObservationInterceptor;
import dev.taskqueue.observation.TaskSubmitObservationConvention;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the observation of task submissions and runs, when the application has an
 * {@link ObservationRegistry} (Boot makes one with the actuator). With a tracer (such as
 * {@code spring-boot-starter-zipkin} or {@code spring-boot-starter-opentelemetry}), a run's span is a child of
 * its submission's, across instances. {@link TaskSubmitObservationConvention} and
 * {@link TaskExecutionObservationConvention} beans replace the default names and tags; Boot's
 * {@code management.observations.enable.taskqueue=false} turns both observations off.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, TaskRegistry.class })
public final class TaskQueueObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TaskQueueObservationInterceptor taskQueueObservationInterceptor(ObservationRegistry observationRegistry,
            TaskRegistry registry, ObjectProvider<TaskSubmitObservationConvention> submitConvention,
            ObjectProvider<TaskExecutionObservationConvention> executionConvention) {
        return new TaskQueueObservationInterceptor(observationRegistry, registry, submitConvention.getIfUnique(),
                executionConvention.getIfUnique());
    }
}
