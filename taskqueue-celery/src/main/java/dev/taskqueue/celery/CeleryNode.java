package dev.taskqueue.celery;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a Java worker on Celery queues tells monitors and remote control about itself: its node name, the tasks it
 * runs, how many it ran; and what remote control may ask of it (a revocation).
 */
interface CeleryNode {

    /** Its node name, {@code name@host}, as Celery's {@code -n}. */
    String nodename();

    /** The queues it consumes. */
    List<String> queues();

    /** How many slots it has (its concurrency). */
    int concurrency();

    /** The tasks running now. */
    List<ActiveTask> active();

    /** How many tasks it ran to an end since it started. */
    long processed();

    /**
     * How many tasks of each name it ran to an end since it started, for {@code celery inspect stats}'s
     * {@code total}; empty when the worker does not count them.
     */
    default Map<String, Long> totals() {
        return Map.of();
    }

    /** When it started. */
    Instant startedAt();

    /**
     * Revokes a task (Celery's {@code revoke}): it will not run on this worker, and every Java worker that starts
     * later knows it too; with {@code terminate}, a run under way is interrupted.
     */
    void revoke(String taskId, boolean terminate);

    /** Whether this task id is revoked. */
    boolean isRevoked(String taskId);

    /**
     * A task a worker runs, as {@code celery inspect active} lists it.
     *
     * @param argsJson its positional arguments as JSON
     * @param kwargsJson its keyword arguments as JSON
     */
    record ActiveTask(String id, String name, String argsJson, String kwargsJson, String queue, Instant startedAt,
            @Nullable String deliveryTag, int retries) {
    }
}
