package dev.taskqueue.broker;

import java.time.Instant;

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
 */
public record BrowsedTask(String id, String queue, @Nullable String name, String state, @Nullable Instant submittedAt,
        @Nullable Instant dueAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, int attempt,
        @Nullable String worker, @Nullable TaskError error, @Nullable String argumentsJson,
        @Nullable String deadLetterId) {
}
