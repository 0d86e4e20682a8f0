package dev.taskqueue.celery;

import java.time.Duration;
import java.util.List;

/**
 * How a Java worker consumes Celery queues.
 *
 * @param nodename its node name, {@code name@host}, as Celery's {@code -n}
 * @param queues the Celery queues it consumes
 * @param concurrency how many tasks it runs at once
 * @param trackStarted whether it stores STARTED when a task starts (Celery's {@code task_track_started})
 * @param visibilityTimeout kombu's {@code visibility_timeout}: a delivery of a Python worker older than this comes back
 * @param liveness how long a Java worker's deliveries stay held after its last heartbeat
 * @param idlePoll the longest pause between two looks at empty queues
 */
record CeleryWorkerSettings(String nodename, List<String> queues, int concurrency, boolean trackStarted,
        Duration visibilityTimeout, Duration liveness, Duration idlePoll) {

    /** Kombu's default visibility timeout. */
    static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofHours(1);

    static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(10);

    static final Duration DEFAULT_IDLE_POLL = Duration.ofMillis(50);

    static final int DEFAULT_CONCURRENCY = 64;

    CeleryWorkerSettings {
        queues = List.copyOf(queues);
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("A Celery worker needs at least one queue to consume");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("A Celery worker's concurrency must be at least 1, not " + concurrency);
        }
    }
}
