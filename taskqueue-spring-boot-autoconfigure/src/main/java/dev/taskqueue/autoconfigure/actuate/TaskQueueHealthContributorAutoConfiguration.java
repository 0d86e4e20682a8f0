package dev.taskqueue.autoconfigure.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import dev.taskqueue.actuate.health.QueueLagThresholds;
import dev.taskqueue.actuate.health.TaskQueueHealthIndicator;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueProperties;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code taskqueue} health component, when Spring Boot's health module is on the class
 * path, the application has a {@link QueueAdmin}, and {@code management.health.taskqueue.enabled} is not false. Its lag
 * thresholds come from {@code taskqueue.health.*}.
 *
 * <p>{@code @ConditionalOnEnabledHealthIndicator} sits on the bean method, not beside the class-level
 * {@code @ConditionalOnClass}: on the class, its own class would be loaded to evaluate it even when the health
 * module is absent, and the application would fail to start.
 *
 * <p>A lag status of the application's own must be in a status order of the health endpoint
 * ({@code management.endpoint.health.status.order}, or a group's): the endpoint leaves out of its aggregate the
 * statuses it cannot order, so readiness would stay UP while a queue lags. Such a status fails the startup.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.health.contributor.AbstractHealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator" })
@ConditionalOnBean(TaskRegistry.class)
public final class TaskQueueHealthContributorAutoConfiguration {

    /** The statuses the health endpoint orders without configuration. */
    private static final List<Status> STANDARD_STATUSES = List.of(Status.DOWN, Status.OUT_OF_SERVICE, Status.UP,
            Status.UNKNOWN);

    @Bean
    @ConditionalOnMissingBean(name = "taskqueueHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue")
    @ConditionalOnBean(QueueAdmin.class)
    TaskQueueHealthIndicator taskqueueHealthIndicator(QueueAdmin admin,
            ObjectProvider<TaskQueueWorkerLifecycle> lifecycle, TaskRegistry registry,
            TaskQueueProperties properties, ObjectProvider<HealthEndpointProperties> endpoint,
            ObjectProvider<TaskQueueScheduler> scheduler) {
        return new TaskQueueHealthIndicator(admin, admin.description(),
                () -> BrokerDescriptions.worker(lifecycle), () -> {
                    TaskQueueWorkerLifecycle found = lifecycle.getIfAvailable();
                    return found != null && found.isRunning();
                }, () -> BrokerDescriptions.consumedOrDeclaredQueues(lifecycle, registry),
                thresholds(properties.getHealth(), endpoint.getIfAvailable()), () -> {
                    TaskQueueScheduler found = scheduler.getIfAvailable();
                    return found != null && found.isRunning() ? found.problems() : Map.of();
                });
    }

    /**
     * The inline mode has no store or worker to check; the component exists all the same, UP, so that a readiness
     * group that includes it works in every mode.
     */
    @Bean(name = "taskqueueHealthIndicator")
    @ConditionalOnMissingBean(name = "taskqueueHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskqueue")
    @ConditionalOnProperty(name = "taskqueue.broker", havingValue = "inline")
    HealthIndicator taskqueueInlineHealthIndicator() {
        return () -> Health.up().withDetail("broker", "inline: tasks run in the thread that submits them").build();
    }

    private static QueueLagThresholds thresholds(TaskQueueProperties.Health health,
            @Nullable HealthEndpointProperties endpoint) {
        Map<String, Duration> perQueue = new LinkedHashMap<>();
        health.getQueues().forEach((queue, settings) -> {
            if (settings.getMaxLag() != null) {
                perQueue.put(queue, settings.getMaxLag());
            }
        });
        return new QueueLagThresholds(health.getMaxQueueLag(), perQueue, lagStatus(health.getLagStatus(), endpoint));
    }

    /**
     * The lag status: one of Boot's, written in any case, or the application's own, if the health endpoint (when
     * there is one) can order it.
     */
    private static Status lagStatus(String configured, @Nullable HealthEndpointProperties endpoint) {
        String code = configured.trim().toUpperCase(Locale.ROOT);
        for (Status standard : STANDARD_STATUSES) {
            if (uniform(standard.getCode()).equals(uniform(code))) {
                return standard;
            }
        }
        if (endpoint == null || Stream.concat(Stream.of(endpoint), endpoint.getGroup().values().stream())
                .flatMap(properties -> properties.getStatus().getOrder().stream())
                .anyMatch(ordered -> uniform(ordered).equals(uniform(code)))) {
            return new Status(code);
        }
        throw new InvalidConfigurationPropertyValueException("taskqueue.health.lag-status", configured, "The health "
                + "endpoint ignores a status that is not in its status order, so readiness would stay UP while a "
                + "queue lags. Use UP, DOWN, OUT_OF_SERVICE or UNKNOWN, or add " + code + " to "
                + "management.endpoint.health.status.order (or to the status.order of the group that includes "
                + "taskqueue).");
    }

    /** A status code as the health endpoint compares them: its letters and digits, in lower case. */
    private static String uniform(String code) {
        StringBuilder uniform = new StringBuilder();
        code.codePoints().filter(Character::isLetterOrDigit).map(Character::toLowerCase)
                .forEach(uniform::appendCodePoint);
        return uniform.toString();
    }
}
