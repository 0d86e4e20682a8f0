package dev.taskqueue.test;

/** When the application's worker runs tasks in a test of {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue}. */
public enum WorkerMode {

    /**
     * As in production: the worker starts with the application and runs tasks as they come. Wait for them with a
     * handle's {@code get}, or {@link TaskQueueTester#awaitIdle}.
     */
    RUNNING,

    /**
     * Only when the test says: tasks wait in Redis, where {@link TaskQueueTester#submitted()} shows them as they are,
     * until {@link TaskQueueTester#runPending()} runs them (or {@link TaskQueueTester#startWorker()} starts the
     * worker). Sidekiq's fake mode, on the real queue.
     */
    MANUAL
}
