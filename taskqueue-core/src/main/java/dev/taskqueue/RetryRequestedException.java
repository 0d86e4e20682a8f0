package dev.taskqueue;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** Thrown (by the task) from {@link TaskContext#retry(Duration)}: run the task again after a delay. */
public class RetryRequestedException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final Duration delay;

    public RetryRequestedException(Duration delay, @Nullable Throwable cause) {
        super("Retry requested in " + delay + (cause != null ? ": " + cause : ""),
                cause != null ? cause : new IllegalStateException("retry requested"));
        this.delay = delay;
    }

    public Duration getDelay() {
        return delay;
    }
}
