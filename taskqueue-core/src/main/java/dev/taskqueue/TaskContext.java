package dev.taskqueue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.taskqueue.internal.CurrentTask;
import org.jspecify.annotations.Nullable;

/**
 * The task running on this thread, from inside its {@link Task} method:
 *
 * <pre>{@code
 * @Task(name = "reports.build", timeLimit = @TimeLimit(soft = "5m"))
 * Report build(String customerId) {
 *     TaskContext task = TaskContext.current();
 *     for (int page = 0; page < pages; page++) {
 *         task.checkTimeLimit();                        // throws once the soft limit passed
 *         render(page);
 *         task.progress((page + 1) / (double) pages, "page " + (page + 1));
 *     }
 *     if (!storage.available()) {
 *         throw task.retry(Duration.ofMinutes(1));      // run again in a minute (within maxRetries)
 *     }
 *     ...
 * }
 * }</pre>
 */
public interface TaskContext {

    /**
     * The task running on this thread.
     *
     * @throws IllegalStateException outside a task's run
     */
    static TaskContext current() {
        TaskContext context = CurrentTask.get();
        if (context == null) {
            throw new IllegalStateException("TaskContext.current() is only available inside a @Task method while a "
                    + "worker (or the inline mode) runs it");
        }
        return context;
    }

    /** The task running on this thread, if any. */
    static Optional<TaskContext> find() {
        return Optional.ofNullable(CurrentTask.get());
    }

    String taskId();

    String taskName();

    String queue();

    /** This run's attempt number, from 1. */
    int attempt();

    /** The headers that travel with the task. */
    Map<String, String> headers();

    /** The worker running it ({@code inline} in the inline mode). */
    String workerId();

    /**
     * Reports progress, visible through {@link TaskHandle#info()} and the actuator. Cheap: reports are sent
     * asynchronously, at most one per 100 ms (the last one is never dropped).
     *
     * @param fraction from 0 to 1
     * @param message what it is doing, or null
     */
    void progress(double fraction, @Nullable String message);

    /**
     * Asks to run the task again after {@code delay}: throw what this returns. The retry counts against
     * {@code maxRetries} of the call, the task's {@code @Retry} or {@code taskqueue.retry.max-retries}, and when none
     * sets it, against {@link RetryPolicy#DEFAULT_MAX_REQUESTED_RETRIES} (3); past it, the task fails.
     */
    RetryRequestedException retry(Duration delay);

    /** As {@link #retry(Duration)}, recording {@code cause} as the reason. */
    RetryRequestedException retry(Duration delay, Throwable cause);

    /** Whether the soft time limit has passed. */
    boolean isSoftTimeLimitExceeded();

    /** Throws {@link SoftTimeLimitExceededException} once the soft time limit has passed. */
    void checkTimeLimit();

    /** Whether the task was revoked while it runs (it was also interrupted if the revocation asked for it). */
    boolean isRevoked();
}
