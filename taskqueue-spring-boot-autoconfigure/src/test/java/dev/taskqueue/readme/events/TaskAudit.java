package dev.taskqueue.readme.events;

import dev.taskqueue.event.TaskEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

// tag::listener[]
@Component
class TaskAudit {
    private static final Logger log = LoggerFactory.getLogger(TaskAudit.class);

    @EventListener
    void on(TaskEvent event) {        // dev.taskqueue.event.TaskEvent: type, taskId, taskName, queue, at, source, duration, error
        if (event.type() == TaskEvent.Type.FAILED) {
            log.warn("{} failed: {}", event.taskName(), event.errorMessage());
        }
    }
}
// end::listener[]
