package dev.taskqueue.broker;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/**
 * A task as a {@link QueueBrowser} shows it: one row of a listing, or a task found by id. What the store does not
 * know is null (a task waiting in a stream has no worker; one whose message is gone has no arguments).
 *
 * @param id the task id
 * @param queue its queue
 * @param name the task name, when known
 * @param state PENDING, SCHEDULED, STARTED (running), RETRY, SUCCESS, FAILURE or REVOKED; in the failures, FAILURE
 *        for a dead letter and RETRY for a failed attempt that runs again
 * @param submittedAt when it was submitted
 * @param dueAt when a delayed task is due
 * @param startedAt when its current or last attempt started
 * @param finishedAt when it finished (or, in the failures, when the attempt failed)
 * @param attempt its attempt number, 1 for the first run (0: not run yet)
 * @param worker the worker that runs or ran it
 * @param error the error of its last failed attempt
 * @param argumentsJson its arguments as a JSON array, not masked (mask with {@code dev.taskqueue.internal.Masking})
 * @param deadLetterId the id of its dead letter, for a failure that went to the dead letters
 * @param context what its message says of where it comes from and what follows it ({@link Context#NONE} when the
 *        store does not tell: rows of a listing, a message that is gone and a record without it)
 */
public record BrowsedTask(String id, String queue, @Nullable String name, String state, @Nullable Instant submittedAt,
        @Nullable Instant dueAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, int attempt,
        @Nullable String worker, @Nullable TaskError error, @Nullable String argumentsJson,
        @Nullable String deadLetterId, Context context) {

    /** A row without its context. */
    public BrowsedTask(String id, String queue, @Nullable String name, String state, @Nullable Instant submittedAt,
            @Nullable Instant dueAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, int attempt,
            @Nullable String worker, @Nullable TaskError error, @Nullable String argumentsJson,
            @Nullable String deadLetterId) {
        this(id, queue, name, state, submittedAt, dueAt, startedAt, finishedAt, attempt, worker, error, argumentsJson,
                deadLetterId, Context.NONE);
    }

    /**
     * Where a task comes from and what follows it, from its message (waiting or running) or, once it ended, from its
     * record, which keeps it bounded ({@code dev.taskqueue.internal.ContextJson}).
     *
     * @param headers the headers its message carries (trace context such as {@code traceparent}, user headers)
     * @param parentId in a workflow, the task whose end submitted it
     * @param rootId in a workflow, its first task
     * @param children in a workflow, what its success starts: the first task of each step after it, or for a chord
     *        member the chord's id (at most {@code dev.taskqueue.workflow.WorkflowSuccessors#MAX})
     */
    public record Context(Map<String, String> headers, @Nullable String parentId, @Nullable String rootId,
            List<String> children) {

        /** Nothing known. */
        public static final Context NONE = new Context(Map.of(), null, null, List.of());

        public Context {
            headers = Map.copyOf(headers);
            children = List.copyOf(children);
        }
    }
}
