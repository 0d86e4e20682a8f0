package dev.taskqueue.celery.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the Java worker on Celery queues with the application (in the phase of taskqueue's own worker, after the
 * beans its tasks use) and stops it first, letting its tasks end within the shutdown timeout. While it runs, a
 * non-daemon thread keeps the JVM alive (as {@code taskqueue.worker.keep-alive} does for taskqueue's own worker): an
 * application that only works Celery queues has no other thread that would.
 */
public class CeleryWorkerLifecycle implements SmartLifecycle {

    private final Supplier<CeleryInterop.Worker> workers;
    private final Duration shutdownTimeout;
    private final boolean keepAlive;
    private volatile CeleryInterop.@Nullable Worker worker;
    private @Nullable CountDownLatch stopped;

    public CeleryWorkerLifecycle(Supplier<CeleryInterop.Worker> workers, Duration shutdownTimeout, boolean keepAlive) {
        this.workers = workers;
        this.shutdownTimeout = shutdownTimeout;
        this.keepAlive = keepAlive;
    }

    @Override
    public synchronized void start() {
        if (worker == null) {
            CeleryInterop.Worker started = workers.get();
            started.start();
            worker = started;
            if (keepAlive) {
                CountDownLatch latch = new CountDownLatch(1);
                Thread thread = new Thread(() -> {
                    try {
                        latch.await();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }, "taskqueue-celery-keep-alive");
                thread.setDaemon(false);
                thread.start();
                stopped = latch;
            }
        }
    }

    @Override
    public synchronized void stop() {
        CeleryInterop.Worker running = worker;
        if (running != null) {
            try {
                running.stop(shutdownTimeout);
            }
            finally {
                worker = null;
                if (stopped != null) {
                    stopped.countDown();
                    stopped = null;
                }
            }
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
