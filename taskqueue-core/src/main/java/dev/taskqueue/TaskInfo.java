package dev.taskqueue;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What is stored about a task. Fields a state does not have yet are null (a PENDING task has no worker).
 *
 * @param id the task id
 * @param name the task name, when known
 * @param queue the queue, when known
 * @param state the current state
 * @param worker the id of the worker that ran or runs it
 * @param submittedAt when it was submitted, when known
 * @param startedAt when its last run started
 * @param finishedAt when it finished
 * @param attempt the attempt number of the last run, from 1
 * @param resultJson the result, as JSON, when it succeeded
 * @param error the error, when it failed (for RETRY: the error of the last attempt)
 * @param nextRunAt when a task in RETRY runs again
 * @param progress the fraction done (0 to 1) it reported, if any
 * @param progressMessage the message it reported with its progress
 * @param argumentsJson its arguments as a JSON array, once a worker took it; past a kilobyte or so, long values are
 *        shortened and the last ones left out, marked with "…" (it stays valid JSON)
 * @param parentId in a workflow, the task (or chord) whose end submitted it
 */
public record TaskInfo(String id, @Nullable String name, @Nullable String queue, TaskState state,
        @Nullable String worker, @Nullable Instant submittedAt, @Nullable Instant startedAt,
        @Nullable Instant finishedAt, int attempt, @Nullable String resultJson, @Nullable TaskError error,
        @Nullable Instant nextRunAt, @Nullable Double progress, @Nullable String progressMessage,
        @Nullable String argumentsJson, @Nullable String parentId) {

    /** What a task whose record is absent looks like. */
    public static TaskInfo pending(String id, @Nullable String queue) {
        return of(id, queue, TaskState.PENDING);
    }

    /** A task known only by its state. */
    public static TaskInfo of(String id, @Nullable String queue, TaskState state) {
        return new TaskInfo(id, null, queue, state, null, null, null, null, 0, null, null, null, null, null, null,
                null);
    }
}
