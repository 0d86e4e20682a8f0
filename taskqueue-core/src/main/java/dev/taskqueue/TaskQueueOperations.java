package dev.taskqueue;

import java.util.List;

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
     * Revokes a task by id, from any instance, looking for it in every queue (its record, or the delayed set). See
     * {@link TaskHandle#revoke(boolean)}. Found in one queue, it is revoked there. Found in none (a task queued
     * without a caller-chosen id has no record until it starts), the id is remembered as revoked in every queue for
     * 7 days, so that a task waiting with it does not start; no record is written, and a task submitted with that
     * id afterwards is a new task: it runs.
     *
     * @return true when the revocation was recorded (the task had not finished, or Redis has no record of it);
     *         false when it had already finished (succeeded, failed or was revoked) and keeps its outcome
     * @throws AmbiguousTaskIdException when several queues have a task with this id (a caller-chosen id is unique
     *         per queue): nothing is revoked; use {@link #revoke(String, String, boolean)}
     */
    boolean revoke(String taskId, boolean interruptIfRunning);

    /**
     * Revokes the task with this id in {@code queue}, from any instance. See {@link TaskHandle#revoke(boolean)}. Its
     * record says REVOKED even when the task is not submitted yet: a submit of that id to that queue within 7 days
     * then returns the revoked task's handle, and nothing runs.
     *
     * @return as {@link #revoke(String, boolean)}
     */
    boolean revoke(String queue, String taskId, boolean interruptIfRunning);

    /**
     * Chords that have not completed, oldest first: open ones with how many header tasks reported, and failed ones
     * with what failed them. A chord open for long without progress is stuck (its remaining header tasks were
     * purged, lost to a flushed Redis, or are waiting in a paused queue).
     */
    List<ChordStatus> chords(int max);

    /**
     * Every task known to the deployment, by name: those this application declares, and those the workers of every
     * service published to the task catalog, each with its queue, priority, policies, parameters, and the workers
     * that declare it with when they last said so.
     */
    List<DeclaredTask> catalog();
}
