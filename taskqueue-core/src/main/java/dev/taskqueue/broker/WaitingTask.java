package dev.taskqueue.broker;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A task in a queue, as stored, read without taking it: what tests and tools look at to see what was submitted and
 * has not finished.
 *
 * @param taskId the task id
 * @param queue the queue
 * @param state where it waits
 * @param body the message as stored (decode it with {@code MessageCodec}); compared by identity
 * @param dueAt for a delayed task, when it is due
 */
public record WaitingTask(String taskId, String queue, State state, byte[] body, @Nullable Instant dueAt) {

    /** Where a task waits. */
    public enum State {

        /** Ready to be claimed. */
        READY,

        /** Claimed by a worker, which runs it or is about to, and has not recorded its outcome yet. */
        CLAIMED,

        /** Waiting for its countdown, eta or retry backoff. */
        DELAYED
    }
}
