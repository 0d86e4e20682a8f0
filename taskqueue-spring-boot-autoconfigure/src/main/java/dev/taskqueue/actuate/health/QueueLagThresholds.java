package dev.taskqueue.actuate.health;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Status;

/**
 * How old a queue's oldest pending task may get before the health component reports {@code lagStatus}.
 *
 * @param maxLag the threshold of every queue without one of its own, or null for none
 * @param perQueue thresholds of single queues, by name (they win over {@code maxLag})
 * @param lagStatus the status reported while a queue lags
 */
public record QueueLagThresholds(@Nullable Duration maxLag, Map<String, Duration> perQueue, Status lagStatus) {

    /** No thresholds: a queue's lag never changes the status. */
    public static final QueueLagThresholds NONE = new QueueLagThresholds(null, Map.of(), Status.OUT_OF_SERVICE);

    public QueueLagThresholds {
        perQueue = Map.copyOf(perQueue);
    }

    /** The threshold of {@code queue}, or null when it has none. */
    public @Nullable Duration thresholdOf(String queue) {
        Duration own = perQueue.get(queue);
        return own != null ? own : maxLag;
    }
}
