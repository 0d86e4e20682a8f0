package dev.taskqueue;

import java.util.Collection;
import java.util.List;

/**
 * A task id given without its queue names a task in several queues. A caller-chosen id is unique per queue
 * (submitted to two queues, it makes two tasks), so a lookup or a revocation by the id alone cannot tell which task
 * is meant, and refuses rather than guess: name the queue.
 */
public class AmbiguousTaskIdException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final String taskId;

    private final List<String> queues;

    public AmbiguousTaskIdException(String taskId, Collection<String> queues) {
        super("Task id '" + taskId + "' names a task in each of the queues " + queues.stream().sorted().toList()
                + ": a caller-chosen id is unique per queue, not across queues. Name the queue: "
                + "TaskClient.handle(queue, id, type), TaskQueueOperations.revoke(queue, id, interrupt), or "
                + "/actuator/taskqueue/queues/{queue}/tasks/{id}");
        this.taskId = taskId;
        this.queues = queues.stream().sorted().toList();
    }

    /** The id. */
    public String getTaskId() {
        return taskId;
    }

    /** The queues that have a task with this id, sorted. */
    public List<String> getQueues() {
        return queues;
    }
}
