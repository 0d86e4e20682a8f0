package dev.taskqueue.observation;

import java.util.Map;

import dev.taskqueue.TaskContext;
import io.micrometer.observation.transport.ReceiverContext;

/**
 * The observation context of one run of a task on a worker. Its carrier is the task's headers, where the
 * submitting side's tracer left its propagation fields, so that the run's span continues the submit's trace.
 */
public class TaskExecutionContext extends ReceiverContext<Map<String, String>> {

    private final TaskContext task;

    public TaskExecutionContext(TaskContext task) {
        super((carrier, key) -> carrier.get(key));
        setCarrier(task.headers());
        setRemoteServiceName("taskqueue");
        this.task = task;
    }

    /** The task being run: its id, name, queue, attempt, headers. */
    public TaskContext getTask() {
        return task;
    }
}
