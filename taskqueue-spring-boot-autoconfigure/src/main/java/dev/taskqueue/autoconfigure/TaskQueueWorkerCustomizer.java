package dev.taskqueue.autoconfigure;

import dev.taskqueue.worker.WorkerSettings;

/**
 * Adjusts the worker's settings beyond what {@code taskqueue.worker.*} offers. Every customizer bean is applied, in
 * {@link org.springframework.core.Ordered order}, after the properties, so it has the last word.
 *
 * <pre>{@code
 * @Bean
 * TaskQueueWorkerCustomizer fixedWorkerId(Environment env) {
 *     return settings -> settings.workerId(env.getProperty("POD_NAME"));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface TaskQueueWorkerCustomizer {

    /** Adjusts the settings the worker will be built with. */
    void customize(WorkerSettings.Builder builder);
}
