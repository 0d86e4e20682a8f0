package dev.taskqueue.event;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls several listeners; one that throws cannot disturb the engine or the others. */
final class CompositeTaskEventListener implements TaskEventListener {

    private static final Logger log = LoggerFactory.getLogger(CompositeTaskEventListener.class);

    private final List<TaskEventListener> listeners;

    CompositeTaskEventListener(List<TaskEventListener> listeners) {
        this.listeners = listeners;
    }

    private void each(Consumer<TaskEventListener> call) {
        for (TaskEventListener listener : listeners) {
            try {
                call.accept(listener);
            }
            catch (RuntimeException ex) {
                log.warn("Task event listener {} failed", listener, ex);
            }
        }
    }

    @Override
    public void submitted(String taskName, String queue) {
        each(l -> l.submitted(taskName, queue));
    }

    @Override
    public void sent(String taskId, String taskName, String queue) {
        each(l -> l.sent(taskId, taskName, queue));
    }

    @Override
    public void received(String taskId, String taskName, String queue) {
        each(l -> l.received(taskId, taskName, queue));
    }

    @Override
    public void duplicateSubmitted(String taskName, String queue) {
        each(l -> l.duplicateSubmitted(taskName, queue));
    }

    @Override
    public void started(String taskId, String taskName, String queue, Duration queueWait) {
        each(l -> l.started(taskId, taskName, queue, queueWait));
    }

    @Override
    public void finished(Execution execution) {
        each(l -> l.finished(execution));
    }

    @Override
    public void outcomeRefused(String taskId, @Nullable String taskName, String queue) {
        each(l -> l.outcomeRefused(taskId, taskName, queue));
    }
}
