package dev.taskqueue.celery;

/**
 * Celery's events and remote control for a Java worker.
 */
final class CeleryMonitoring {

    private CeleryMonitoring() {
    }

    /** Starts what the options ask for; closing it stops them. */
    static AutoCloseable start(CeleryWorker worker, CeleryInterop.WorkerOptions options, CeleryRedis redis) {
        return () -> {
        };
    }
}
