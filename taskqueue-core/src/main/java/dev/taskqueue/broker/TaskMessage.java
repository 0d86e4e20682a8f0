package dev.taskqueue.broker;

import java.util.Map;

import org.jspecify.annotations.Nullable;

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
 */
public record TaskMessage(String id, String task, String queue, int priority, long createdAt, @Nullable Long eta,
        @Nullable Long expires, int attempt, Map<String, String> headers, @Nullable String parentId,
        @Nullable String rootId) {
}
