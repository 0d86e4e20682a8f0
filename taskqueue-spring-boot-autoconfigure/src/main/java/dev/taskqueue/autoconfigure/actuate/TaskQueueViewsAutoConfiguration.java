package dev.taskqueue.autoconfigure.actuate;

import java.time.Clock;

import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.actuate.view.TaskQueueActions;
import dev.taskqueue.actuate.view.TaskQueueReadModel;
import dev.taskqueue.actuate.view.TaskQueueViews;
import dev.taskqueue.actuate.view.ValueMask;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueEventsAutoConfiguration;
import dev.taskqueue.autoconfigure.TaskQueueSchedulerAutoConfiguration;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.event.TaskEventLog;
import dev.taskqueue.internal.Masking;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The read model that the actuator endpoint and the dashboard share ({@link TaskQueueReadModel}, the dashboard's
 * {@link TaskQueueViews}, and {@link TaskQueueActions}), when the application has a {@link QueueAdmin}. It needs no
 * actuator and no web framework; the masking of sensitive values is a {@link ValueMask} bean (by default, what tasks declare
 * {@code @Sensitive}, masked by the application's {@code ValueMasker}). The read model shows the transactional outbox
 * when the application has an {@link OutboxOperations} bean (taskqueue-outbox registers one).
 */
@AutoConfiguration(after = { TaskQueueAutoConfiguration.class, TaskQueueEventsAutoConfiguration.class,
        TaskQueueSchedulerAutoConfiguration.class })
@ConditionalOnBean({ QueueAdmin.class, TaskRegistry.class, TaskQueueOperations.class })
public final class TaskQueueViewsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ValueMask taskQueueValueMask(ObjectProvider<Masking> masking) {
        Masking tasks = masking.getIfAvailable();
        if (tasks == null) {
            return ValueMask.NONE;
        }
        // What each task declares @Sensitive (here or, through the task catalog, in another service), masked by the
        // application's ValueMasker.
        return new ValueMask() {
            @Override
            public @Nullable String arguments(@Nullable String taskName, @Nullable String argumentsJson) {
                return taskName == null ? argumentsJson : tasks.arguments(taskName, argumentsJson);
            }

            @Override
            public @Nullable String result(@Nullable String taskName, @Nullable String resultJson) {
                return taskName == null ? resultJson : tasks.result(taskName, resultJson);
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    TaskQueueReadModel taskQueueReadModel(QueueAdmin admin, TaskRegistry registry, TaskQueueOperations operations,
            ObjectProvider<TaskQueueWorkerLifecycle> lifecycle, ObjectProvider<ResultBackend> results,
            ObjectProvider<TaskEventLog> events, ObjectProvider<TaskQueueScheduler> scheduler, ValueMask mask,
            ObjectProvider<OutboxOperations> outbox) {
        return new TaskQueueReadModel(admin, registry, BrokerDescriptions.consumedQueues(lifecycle),
                results.getIfAvailable(), operations, events.getIfAvailable(), scheduler.getIfAvailable(), mask,
                outbox.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    TaskQueueActions taskQueueActions(TaskQueueReadModel model, QueueAdmin admin, TaskQueueOperations operations,
            ObjectProvider<QueueBrowser> browser) {
        return new TaskQueueActions(model, admin, operations, browser.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    TaskQueueViews taskQueueViews(TaskQueueReadModel model, ObjectProvider<QueueBrowser> browser,
            ObjectProvider<TaskHistory> history, ObjectProvider<WorkflowStore> workflows) {
        return new TaskQueueViews(model, browser.getIfAvailable(), history.getIfAvailable(),
                workflows.getIfAvailable(), Clock.systemUTC());
    }
}
