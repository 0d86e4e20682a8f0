package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/**
 * A queue's counts at one instant.
 *
 * @param queue the queue's name
 * @param pending waiting to be claimed
 * @param scheduled waiting for their countdown, eta or retry backoff
 * @param active claimed by a worker and not finished
 * @param dead in the dead letters
 * @param oldestPendingAgeMillis how long the oldest pending task has waited, or null when none waits
 * @param paused whether workers are told not to claim from it
 * @param processedLastMinute tasks that finished (any outcome) in the last 60 seconds
 */
public record QueueStats(String queue, long pending, long scheduled, long active, long dead,
        @Nullable Long oldestPendingAgeMillis, boolean paused, long processedLastMinute) {
}
