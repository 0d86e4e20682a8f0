package dev.taskqueue.broker;

import java.util.Map;

import dev.taskqueue.TaskPolicies;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A task message's fields, without its arguments (they stay JSON until a worker converts them to the task
 * method's parameter types).
 *
 * @param id the task id
 * @param task the task name
 * @param queue the queue
 * @param priority 0 (default) to 9 (most urgent)
 * @param createdAt submission time, epoch milliseconds
 * @param eta do not run before this epoch millisecond, or null
 * @param expires do not run after this epoch millisecond, or null
 * @param attempt how many times the task ran before (0 for the first run); retries count up
 * @param headers headers that travel with the task
 * @param parentId the task that submitted this one, in a workflow, or null
 * @param rootId the first task of its workflow, or null
 * @param policies policies set for this call (they win over the task's declaration)
 * @param uniqueKey the uniqueness key to release when the task finishes, or null
 * @param rateReserved whether the task already holds a start slot of its rate limit (it was deferred for one)
 * @param workflow what runs after it in a workflow (links, error links, chord membership), or null; read by
 *        {@code dev.taskqueue.workflow.WorkflowEngine}
 */
public record TaskMessage(String id, String task, String queue, int priority, long createdAt, @Nullable Long eta,
        @Nullable Long expires, int attempt, Map<String, String> headers, @Nullable String parentId,
        @Nullable String rootId, TaskPolicies policies, @Nullable String uniqueKey, boolean rateReserved,
        @Nullable JsonNode workflow) {

    /** The same message for its next attempt. */
    public TaskMessage nextAttempt() {
        return new TaskMessage(id, task, queue, priority, createdAt, null, expires, attempt + 1, headers, parentId,
                rootId, policies, uniqueKey, false, workflow);
    }

    /** The same message, holding a start slot of its rate limit. */
    public TaskMessage withRateReserved() {
        return new TaskMessage(id, task, queue, priority, createdAt, eta, expires, attempt, headers, parentId, rootId,
                policies, uniqueKey, true, workflow);
    }

    /** The same message as a fresh first attempt (requeued from the dead letters). */
    public TaskMessage firstAttempt() {
        return new TaskMessage(id, task, queue, priority, createdAt, null, null, 0, headers, parentId, rootId,
                policies, uniqueKey, false, workflow);
    }
}
