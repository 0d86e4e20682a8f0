package dev.taskqueue.broker;

import java.util.concurrent.CompletableFuture;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskInfo;
import org.jspecify.annotations.Nullable;

/**
 * Where task records live: state, timings, result or error, with a TTL. Workers write them through
 * {@link Broker#acknowledge} (atomically with the acknowledgement); clients read them here.
 */
public interface ResultBackend {

    /**
     * The task's record. Without {@code queue}, every known queue is searched (one round trip) for the one that has
     * the task (its record, or the delayed set).
     *
     * @return the record, or a PENDING one when nothing is stored
     * @throws AmbiguousTaskIdException without {@code queue}, when several queues have a task with this id
     */
    TaskInfo find(@Nullable String queue, String taskId);

    /**
     * Completes when the task has finished, with its record. All waiters of an application share one
     * notification channel; a slow poll backs it up. Cancel the future to stop waiting. Without {@code queue}, the
     * task is looked for as {@link #find} does; the future completes with {@link AmbiguousTaskIdException} when
     * several queues have a task with this id.
     */
    CompletableFuture<TaskInfo> whenFinished(@Nullable String queue, String taskId);
}
