package dev.taskqueue.broker;

import java.time.Instant;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/**
 * One run of a task, as kept with it (the last 16 attempts).
 *
 * @param attempt its number, 1 for the first run
 * @param worker the worker that ran it
 * @param startedAt when it started
 * @param finishedAt when it ended (null while it runs)
 * @param state SUCCESS, FAILURE, RETRY (it failed and runs again), REVOKED or STARTED (running now)
 * @param error its error, for a failed one (the stack cut as the record's is)
 */
public record Attempt(int attempt, @Nullable String worker, @Nullable Instant startedAt, @Nullable Instant finishedAt,
        String state, @Nullable TaskError error) {
}
