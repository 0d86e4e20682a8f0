package dev.taskqueue.celery.autoconfigure;

import java.time.Duration;
import java.util.function.Supplier;

import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the Java worker on Celery queues with the application (in the phase of taskqueue's own worker, after the
 * beans its tasks use) and stops it first, letting its tasks end within the shutdown timeout.
 */
public class CeleryWorkerLifecycle implements SmartLifecycle {

    private final Supplier<CeleryInterop.Worker> workers;
    private final Duration shutdownTimeout;
    private volatile CeleryInterop.@Nullable Worker worker;

    public CeleryWorkerLifecycle(Supplier<CeleryInterop.Worker> workers, Duration shutdownTimeout) {
        this.workers = workers;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public synchronized void start() {
        if (worker == null) {
            CeleryInterop.Worker started = workers.get();
            started.start();
            worker = started;
        }
    }

    @Override
    public synchronized void stop() {
        CeleryInterop.Worker running = worker;
        if (running != null) {
            running.stop(shutdownTimeout);
            worker = null;
        }
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    @Override
    public int getPhase() {
        return TaskQueueWorkerLifecycle.PHASE;
    }

    /** The running worker, or null. */
    public CeleryInterop.@Nullable Worker worker() {
        return worker;
    }
}
