package dev.taskqueue.spring;

import java.util.function.Consumer;

import dev.taskqueue.event.TaskEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes each {@link TaskEvent} as a Spring application event, so that {@code @EventListener void on(TaskEvent
 * event)} hears what happens to tasks in this instance.
 *
 * <p>Listeners run synchronously on the thread where the event happened (a task's own thread for STARTED and the
 * outcome events): keep them short, or make them {@code @Async}. A listener that throws is logged and ignored:
 * it must never fail, retry or delay the outcome of a task.
 */
public final class TaskEventApplicationPublisher implements Consumer<TaskEvent> {

    private static final Logger log = LoggerFactory.getLogger(TaskEventApplicationPublisher.class);

    private final ApplicationEventPublisher publisher;

    public TaskEventApplicationPublisher(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void accept(TaskEvent event) {
        try {
            publisher.publishEvent(event);
        }
        catch (RuntimeException ex) {
            log.warn("A listener of task event {} of task {} [{}] failed; the task is not affected", event.type(),
                    event.taskName(), event.taskId(), ex);
        }
    }
}
