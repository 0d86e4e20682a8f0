package dev.taskqueue;

import java.util.List;

import dev.taskqueue.broker.DeadLetter;
import dev.taskqueue.broker.WorkflowStore;
import org.jspecify.annotations.Nullable;

/**
 * What operators do to queues: read and act on dead letters, revoke tasks by id. The actuator endpoint uses it;
 * so can your code (inject it). Thread-safe.
 */
public interface TaskQueueOperations {

    /**
     * A page of a queue's dead letters, newest first. However large they are, a page stays small: each text of a
     * letter (its message, error message, stack trace...) is cut to 16 KB, ending with a marker that says its size,
     * and a page holds about 4 MB at most, so it may hold fewer than {@code count} letters before the last one:
     * only an empty page says there are no more.
     *
     * @param before the id of the last dead letter of the previous page, or null for the first page
     * @param count at most this many
     */
    List<DeadLetter> deadLetters(String queue, @Nullable String before, int count);

    /**
     * One dead letter by its id, or null when it is not there (requeued, deleted, trimmed, or never was). Its texts
     * are whole up to {@code taskqueue.max-payload-size}, and cut beyond.
     */
    @Nullable
    DeadLetter deadLetter(String queue, String deadLetterId);

    /**
     * Puts a dead letter back in its queue as a fresh first attempt (its retry budget starts over). A message that
     * cannot be read (or is larger than {@code taskqueue.max-payload-size}) goes back as it is, and the log says why:
     * a worker that can read it runs it, others quarantine it again.
     *
     * @return whether it was there
     */
    boolean requeueDeadLetter(String queue, String deadLetterId);

    /**
     * Puts every dead letter of a queue back (oldest first), as {@link #requeueDeadLetter} does; returns how many.
     * Letters that arrive meanwhile (a requeued task that fails again, say) stay, and so does a letter that cannot
     * be requeued (the log says why): it does not stop the others.
     */
    int requeueDeadLetters(String queue);

    /** Deletes one dead letter; returns whether it was there. */
    boolean deleteDeadLetter(String queue, String deadLetterId);

    /** Deletes every dead letter of a queue (not those that arrive meanwhile); returns how many. */
    int deleteDeadLetters(String queue);

    /**
     * Revokes a task by id, from any instance, looking for it in every queue. See {@link TaskHandle#revoke(boolean)}.
     *
     * @return true when the revocation was recorded (the task had not finished, or Redis has no record of it);
     *         false when it had already finished (succeeded, failed or was revoked) and keeps its outcome
     */
    boolean revoke(String taskId, boolean interruptIfRunning);

    /**
     * Chords that have not completed, oldest first: open ones with how many header tasks reported, and failed ones
     * with what failed them. A chord open for long without progress is stuck (its remaining header tasks were
     * purged, lost to a flushed Redis, or are waiting in a paused queue).
     */
    List<WorkflowStore.ChordStatus> chords(int max);

    /**
     * Every task known to the deployment, by name: those this application declares, and those the workers of every
     * service published to the task catalog, each with its queue, priority, policies, parameters, and the workers
     * that declare it with when they last said so.
     */
    List<DeclaredTask> catalog();
}
