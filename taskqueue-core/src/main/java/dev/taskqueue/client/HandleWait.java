package dev.taskqueue.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.taskqueue.TaskQueueException;
import dev.taskqueue.TaskState;
import dev.taskqueue.TaskTimeoutException;

/** The blocking {@code get(timeout)} of task and group handles, over their futures. */
final class HandleWait {

    /** How long the result of a task known to have finished may take to read. */
    private static final Duration FINISHED_READ = Duration.ofSeconds(10);

    private HandleWait() {
    }

    /**
     * Waits for {@code result}; on a timeout or an interrupt, cancels it (so that nothing keeps waiting for the
     * task in the background) and throws. A task found finished at the timeout gives its result, even with a timeout of
     * zero.
     *
     * @param what what is waited for, for errors: {@code task [id]}, {@code group [id]}
     * @param state the state to report on a timeout
     */
    static <T> T get(CompletableFuture<T> result, Duration timeout, String id, String what,
            Supplier<TaskState> state) {
        try {
            try {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (TimeoutException ex) {
                // The record of a task that has finished is read asynchronously, and a short timeout (zero, to poll)
                // may pass before Redis replies: the result is only that reply away.
                if (!state.get().isFinished()) {
                    throw ex;
                }
                return result.get(FINISHED_READ.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (TimeoutException ex) {
            result.cancel(false);
            throw new TaskTimeoutException(id, state.get(), timeout);
        }
        catch (InterruptedException ex) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new TaskQueueException("Interrupted while waiting for " + what, ex);
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            throw cause instanceof TaskQueueException known ? known
                    : new TaskQueueException("Could not wait for " + what + ": " + cause, cause);
        }
    }
}
