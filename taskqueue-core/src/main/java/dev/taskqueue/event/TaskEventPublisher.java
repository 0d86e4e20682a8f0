package dev.taskqueue.event;

import java.time.Clock;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A {@link TaskEventListener} that turns each callback into a {@link TaskEvent} and hands it to a consumer: a
 * Spring event publisher, the {@link dev.taskqueue.redis.RedisEventLog}, your own.
 */
public final class TaskEventPublisher implements TaskEventListener {

    private final Consumer<TaskEvent> consumer;
    private final String source;
    private final Clock clock;

    /**
     * @param source what to name as the events' source (an application or worker id)
     */
    public TaskEventPublisher(Consumer<TaskEvent> consumer, String source, Clock clock) {
        this.consumer = consumer;
        this.source = source;
        this.clock = clock;
    }

    private void emit(TaskEvent.Type type, String taskId, @Nullable String taskName, String queue,
            @Nullable Execution execution) {
        consumer.accept(new TaskEvent(type, taskId, taskName == null ? "unknown" : taskName, queue, clock.instant(),
                source, execution == null ? null : execution.duration(),
                execution == null || execution.error() == null ? null : execution.error().type(),
                execution == null || execution.error() == null ? null : execution.error().message()));
    }

    @Override
    public void sent(String taskId, String taskName, String queue) {
        emit(TaskEvent.Type.SENT, taskId, taskName, queue, null);
    }

    @Override
    public void received(String taskId, String taskName, String queue) {
        emit(TaskEvent.Type.RECEIVED, taskId, taskName, queue, null);
    }

    @Override
    public void started(String taskId, String taskName, String queue, java.time.Duration queueWait) {
        emit(TaskEvent.Type.STARTED, taskId, taskName, queue, null);
    }

    @Override
    public void finished(Execution execution) {
        TaskEvent.Type type = switch (execution.outcome()) {
            case SUCCESS -> TaskEvent.Type.SUCCEEDED;
            case FAILURE, QUARANTINED -> TaskEvent.Type.FAILED;
            case RETRY -> TaskEvent.Type.RETRIED;
            case REVOKED -> TaskEvent.Type.REVOKED;
        };
        emit(type, execution.taskId(), execution.taskName(), execution.queue(), execution);
    }
}
