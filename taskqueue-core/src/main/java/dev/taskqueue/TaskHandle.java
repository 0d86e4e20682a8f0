package dev.taskqueue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted task, seen from any application instance: its id, its state, and its result when it finishes.
 *
 * <pre>{@code
 * TaskHandle<Thumbnail> h = taskClient.submit(Thumbnails::make, "img-42", 200);
 * Thumbnail t = h.get(Duration.ofSeconds(5));       // waits; throws TaskFailedException if the task failed
 * h.future().thenAccept(thumbnail -> ...);          // or without blocking a thread
 * taskClient.handle(h.id(), Thumbnail.class);       // later, from any instance
 * }</pre>
 *
 * Waiting does not poll Redis per task: all waiters of an instance share one notification channel, with a
 * slow poll as the fallback. Thread-safe.
 *
 * @param <R> the result type
 */
public interface TaskHandle<R> {

    /** The task's id. */
    String id();

    /** The current state, read from Redis. A task whose result expired, or an unknown id, reads as PENDING. */
    TaskState state();

    /** Everything stored about the task: state, timings, worker, error. Read from Redis. */
    TaskInfo info();

    /**
     * Waits for the task to finish and returns its result.
     *
     * @throws TaskFailedException if the task failed: carries the remote error's type, message and stack
     * @throws TaskRevokedException if the task was revoked or expired
     * @throws TaskTimeoutException if the task did not finish within {@code timeout}
     */
    R get(Duration timeout);

    /**
     * The result as a future, completed when the task finishes (exceptionally with {@link TaskFailedException}
     * or {@link TaskRevokedException}). Cancelling the future stops waiting; it does not revoke the task.
     */
    CompletableFuture<R> future();

    /**
     * Revokes the task from any instance: it will not start if it has not (queued, delayed, retrying, or claimed by
     * a worker that was offline); its state becomes REVOKED. A task already running finishes, and records its
     * outcome, unless {@code interruptIfRunning}: then its thread is interrupted and it ends REVOKED.
     *
     * @return whether the task was found waiting in the delayed set (false: queued, running, finished or unknown)
     */
    boolean revoke(boolean interruptIfRunning);

    /** Revokes the task; a run in progress finishes. See {@link #revoke(boolean)}. */
    default boolean revoke() {
        return revoke(false);
    }

    /** Whether the task finished (succeeded, failed or was revoked). Read from Redis. */
    default boolean isDone() {
        return state().isFinished();
    }
}
