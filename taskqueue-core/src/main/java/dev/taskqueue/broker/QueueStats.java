package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/**
 * A queue's counts at one instant.
 *
 * @param queue the queue's name
 * @param pending waiting to be claimed
 * @param scheduled waiting for their countdown, eta or retry backoff (retrying ones included, as the delayed set and
 *        the {@code taskqueue.queue.scheduled} gauge count them; {@link #scheduledOnly()} leaves them out)
 * @param retrying of {@code scheduled}, those waiting for a retry backoff (a failed attempt to run again)
 * @param active claimed by a worker and not finished
 * @param dead in the dead letters
 * @param oldestPendingAgeMillis how long the oldest pending task has waited, or null when none waits
 * @param paused whether workers are told not to claim from it
 * @param processedLastMinute tasks that finished (any outcome) in the last 60 seconds
 */
public record QueueStats(String queue, long pending, long scheduled, long retrying, long active, long dead,
        @Nullable Long oldestPendingAgeMillis, boolean paused, long processedLastMinute) {

    /** The delayed tasks that are not retries: those waiting for their countdown or eta. */
    public long scheduledOnly() {
        return Math.max(0, scheduled - retrying);
    }
}
