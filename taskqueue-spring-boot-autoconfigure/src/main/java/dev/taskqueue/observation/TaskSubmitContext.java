package dev.taskqueue.observation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskCall;
import io.micrometer.observation.transport.SenderContext;

/**
 * The observation context of one submission (a single call, or a bulk {@code submitAll}). Its carrier collects
 * the propagation fields the tracer writes (such as {@code traceparent}); the interceptor copies them into the
 * headers of each submitted task.
 */
public class TaskSubmitContext extends SenderContext<Map<String, String>> {

    private final List<? extends TaskCall<?>> calls;
    private final String taskName;
    private final String queue;

    /**
     * @param calls the calls submitted together
     * @param taskName the task tag: the calls' task name, {@code other} when this application does not declare
     *        it, or {@code multiple} when the calls name several tasks
     * @param queue the queue tag: the calls' queue, or {@code multiple}
     */
    public TaskSubmitContext(List<? extends TaskCall<?>> calls, String taskName, String queue) {
        super((carrier, key, value) -> carrier.put(key, value));
        setCarrier(new LinkedHashMap<>());
        setRemoteServiceName("taskqueue");
        this.calls = calls;
        this.taskName = taskName;
        this.queue = queue;
    }

    /** The calls submitted together. */
    public List<? extends TaskCall<?>> getCalls() {
        return calls;
    }

    /** The task tag (low cardinality). */
    public String getTaskName() {
        return taskName;
    }

    /** The queue tag (low cardinality). */
    public String getQueue() {
        return queue;
    }
}
