package dev.taskqueue.broker;

import java.time.Instant;

import dev.taskqueue.TaskError;
import org.jspecify.annotations.Nullable;

/** A task as {@link QueueBrowser} reads it, wherever it is. */
public record BrowsedTask(String id, String queue, @Nullable String name, String state, @Nullable Instant submittedAt,
    @Nullable Instant dueAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, int attempt,
    @Nullable String worker, @Nullable TaskError error, @Nullable String argumentsJson, @Nullable String deadLetterId) {}
