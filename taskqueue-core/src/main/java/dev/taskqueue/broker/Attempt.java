package dev.taskqueue.broker;

import java.time.Instant;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/** One run of a task, as {@link QueueBrowser#attempts} reads it. */
public record Attempt(int attempt, @Nullable String worker, @Nullable Instant startedAt, @Nullable Instant finishedAt,
    String state, @Nullable TaskError error) {}
