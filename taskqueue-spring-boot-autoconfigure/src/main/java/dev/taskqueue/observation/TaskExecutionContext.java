package dev.taskqueue.observation;

import java.util.Map;

import dev.taskqueue.TaskContext;
import io.micrometer.observation.transport.ReceiverContext;
import org.jspecify.annotations.Nullable;

/**
 * The observation context of one run of a task on a worker. Its carrier is the task's headers, where the
 * submitting side's tracer left its propagation fields, so that the run's span continues the submit's trace. Its
 * outcome is set when the engine has decided it, just before the observation stops.
 */
public class TaskExecutionContext extends ReceiverContext<Map<String, String>> {

    private final TaskContext task;

    private @Nullable String outcome;

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

    /**
     * How the run ended: {@code success}, {@code failure}, {@code retry} or {@code revoked}; null while it runs.
     */
    public @Nullable String getOutcome() {
        return outcome;
    }

    /** Sets how the run ended (see {@link #getOutcome()}). */
    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }
}
