package dev.taskqueue.broker;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import org.jspecify.annotations.Nullable;

/**
 * What operators read of the queues and do to them: the queues and their counts, the workers, the dead letters and
 * the chords not completed; pausing, resuming and purging a queue, requeueing a dead letter, revoking a task. The
 * actuator endpoint, the health indicator, the meters, {@code TaskQueueOperations} and a task handle's revoke use
 * it; a worker never does: it honours what this changed (a pause, a revocation) through its {@link Broker}.
 *
 * <p>Methods throw {@link dev.taskqueue.BrokerUnavailableException} when the store cannot be reached.
 */
public interface QueueAdmin {

    /**
     * What the store is, for operators: its kind, then its address ({@code redis 127.0.0.1:6379}); by default, the
     * implementation's class name.
     */
    default String description() {
        return getClass().getName();
    }

    /** Whether the store answers. */
    boolean ping();

    // ----- inspection

    /**
     * Every queue in use: a producer or a worker used it lately (in Redis, within the last 7 days), or it still holds
     * tasks or dead letters.
     */
    Set<String> queues();

    /** Several queues' counts, in the given order (one round trip where the store allows). */
    List<QueueStats> stats(Collection<String> queues);

    /** A queue's counts. */
    default QueueStats stats(String queue) {
        return stats(List.of(queue)).get(0);
    }

    /** The workers that heartbeat, and those that stopped without deregistering (state LOST). */
    List<WorkerInfo> workers();

    /** The chords not yet completed (open or failed), oldest first, at most {@code max}. */
    List<ChordStatus> chords(int max);

    // ----- dead letters

    /** The queue's dead letters that {@code read} names, bounded in number and in bytes as it says. */
    List<DeadLetter> deadLetters(String queue, DeadLetterRead read);

    /**
     * Puts a dead letter back in its queue as a fresh first attempt ({@code body} is its re-encoded message, or
     * null to reuse the stored one), and removes it from the dead letters.
     *
     * @return whether it was there
     */
    boolean requeueDeadLetter(String queue, String deadLetterId, String taskId, byte @Nullable [] body, int priority);

    /** Deletes one dead letter; returns whether it was there. */
    boolean deleteDeadLetter(String queue, String deadLetterId);

    // ----- actions

    /**
     * Pauses a queue: no worker claims from it until it is resumed (tasks already running finish; submissions are
     * still accepted). Stored with the queue, so it holds for every worker, including those started later.
     */
    void pause(String queue);

    /** Resumes a paused queue. */
    void resume(String queue);

    /**
     * Deletes the queue's waiting tasks: ready and delayed (not those running). Their records, if any, are left
     * to expire.
     *
     * @return how many were deleted
     */
    long purge(String queue);

    /**
     * Revokes a task: it will not start (whether it is queued, delayed, retrying, or claimed by a worker that has
     * not started it); its record says REVOKED with the reason; workers running it are told
     * ({@link Broker#onRevoked}: they interrupt it if {@code interrupt}). A task that finished keeps its outcome.
     *
     * <p>Without {@code queue}, the task is looked for in every queue (its record, or the delayed set): found in one,
     * it is revoked there; found in several, nothing is revoked and {@link AmbiguousTaskIdException} is thrown; found
     * in none (a task queued without a caller-chosen id has no record until it starts, or the id is unknown), the id
     * is only remembered as revoked in every queue, so that a task waiting with it is not started. No record is
     * written where the task is not, and a task submitted with the id afterwards is a new task: it runs.
     *
     * @return whether the revocation was recorded: true unless the task had already finished (succeeded, failed,
     *         or was revoked); true also for a task without a record (queued without a caller-chosen id, expired,
     *         unknown)
     * @throws AmbiguousTaskIdException without {@code queue}, when several queues have a task with this id
     */
    boolean revoke(@Nullable String queue, String taskId, String reason, boolean interrupt);
}
