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

    /**
     * The current state, read from Redis. A task whose record expired, or an unknown id, reads as PENDING.
     *
     * @throws IllegalStateException if the task is declared with {@code @Task(ignoreResult = true)}: nothing is
     *         stored about such a task, so its state is unknown (it would read PENDING forever). Follow it through
     *         task events or metrics instead, or remove {@code ignoreResult}. A handle looked up by id alone
     *         ({@link TaskClient#handle}) cannot tell, and reads PENDING.
     * @throws UnreadableRecordException if the task's record holds a state taskqueue does not write
     */
    TaskState state();

    /**
     * Everything stored about the task: state, timings, worker, error. Read from Redis. A field that taskqueue would
     * not write (a time that is not a number, say) reads as absent.
     *
     * @throws IllegalStateException if the task is declared with {@code ignoreResult}, as {@link #state()}
     * @throws UnreadableRecordException as {@link #state()}
     */
    TaskInfo info();

    /**
     * Waits for the task to finish and returns its result.
     *
     * @throws TaskFailedException if the task failed: carries the remote error's type, message and stack
     * @throws TaskRevokedException if the task was revoked or expired
     * @throws TaskTimeoutException if the task did not finish within {@code timeout}
     * @throws UnreadableRecordException if the task's record holds a state, or a result, that taskqueue does not
     *         write (something else wrote it, or an incompatible version)
     */
    R get(Duration timeout);

    /**
     * The result as a future, completed when the task finishes (exceptionally with {@link TaskFailedException}
     * or {@link TaskRevokedException}; with {@link UnreadableRecordException} when its record cannot be read, as
     * {@link #get}). Cancelling the future stops waiting; it does not revoke the task.
     */
    CompletableFuture<R> future();

    /**
     * Completes once Redis has the task. A submit outside a transaction returns only then, so this is complete at
     * once; one made inside a transaction waits for its commit ({@link TransactionMode}). Fails with
     * {@link TaskNotSentException} when the task will not be sent: its transaction rolled back, or Redis could not
     * take it after the commit. {@link #get} and {@link #future} fail the same way.
     */
    default CompletableFuture<Void> sent() {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Revokes the task from any instance: it will not start if it has not (queued, delayed, retrying, or claimed by
     * a worker that was offline); its state becomes REVOKED. A task already running finishes, and records its
     * outcome, unless {@code interruptIfRunning}: then its thread is interrupted and it ends REVOKED.
     *
     * @return true when the revocation was recorded: the task had not finished (it waits, runs, or Redis has no
     *         record of it, as for a task still queued without a caller-chosen id, a task whose record expired, or
     *         an unknown id); false when it had already finished (succeeded, failed or was revoked) and its record
     *         keeps that outcome. True does not mean that a running task stopped: without {@code interruptIfRunning}
     *         it finishes, and its outcome replaces REVOKED. A run still going after an earlier {@code revoke(false)}
     *         is interrupted all the same when {@code interruptIfRunning}.
     */
    boolean revoke(boolean interruptIfRunning);

    /** Revokes the task; a run in progress finishes. See {@link #revoke(boolean)} for what it returns. */
    default boolean revoke() {
        return revoke(false);
    }

    /**
     * Whether the task finished (succeeded, failed or was revoked). Read from Redis.
     *
     * @throws IllegalStateException if the task is declared with {@code ignoreResult}, as {@link #state()}
     */
    default boolean isDone() {
        return state().isFinished();
    }
}
