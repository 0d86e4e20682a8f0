package dev.taskqueue.celery;

/**
 * What a Java worker on Celery queues tells Celery's monitors ({@code celery events}, Flower) about its tasks. Never
 * throws: monitoring must not fail a task.
 */
interface CeleryWorkerEvents {

    /** Sends nothing. */
    CeleryWorkerEvents NONE = new CeleryWorkerEvents() {
    };

    default void received(CeleryMessage message) {
    }

    default void started(CeleryMessage message) {
    }

    default void succeeded(CeleryMessage message, String resultRepr, double runtimeSeconds) {
    }

    default void failed(CeleryMessage message, String exceptionRepr, String traceback) {
    }

    default void retried(CeleryMessage message, String exceptionRepr, String traceback) {
    }

    default void revoked(CeleryMessage message, boolean expired) {
    }
}
