package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/** Which failures {@link QueueBrowser#failures} answers: null matches any. */
public record FailureFilter(@Nullable String queue, @Nullable String task, @Nullable String errorType,
    @Nullable String text) {}
