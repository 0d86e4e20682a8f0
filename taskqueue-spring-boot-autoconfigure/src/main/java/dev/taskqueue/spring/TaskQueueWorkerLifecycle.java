package dev.taskqueue.spring;

import java.time.Duration;
import java.util.function.Supplier;

import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Runs this application's {@link Worker} while the application context runs.
 *
 * <ol>
 * <li>{@link #start()} comes after the context is refreshed, so every {@code @Task} bean is registered by then;
 * it builds a new worker (a stopped worker does not restart) and starts it.</li>
 * <li>{@link #stop(Runnable)} runs the worker's two-phase stop (quiet, wait up to its shutdown timeout, hand
 * unfinished tasks back) on a thread of its own, then calls back, so that other beans of the same phase stop in
 * parallel.</li>
 * <li>While the worker runs, a non-daemon thread keeps the JVM alive (unless built with {@code keepAlive} false).
 * The worker's own threads are daemons, like Lettuce's, so an application without a web server, whose only job
 * is its worker (Celery's {@code celery worker}), would otherwise exit as soon as its {@code main} method
 * returned. It is the same device as Boot's {@code spring.main.keep-alive} and Tomcat's await thread, but tied to
 * the worker: it ends when the worker has stopped. SIGTERM still ends the application: Boot's shutdown hook
 * closes the context, which stops the worker.</li>
 * </ol>
 *
 * <p><b>Phase.</b> {@value #PHASE}, that is {@code SmartLifecycle.DEFAULT_PHASE - 512}. Spring stops the highest
 * phases first, so the worker drains:
 * <ul>
 * <li>after the beans of the default phase (message listener containers, most user lifecycles) went quiet;</li>
 * <li>before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and stop ({@code - 2048}), so the
 * actuator still answers while tasks finish;</li>
 * <li>long before Spring Data Redis's {@code LettuceConnectionFactory} (phase 0), whose stop shuts down the
 * Lettuce client that the worker needs to record the last outcomes and hand unfinished tasks back.</li>
 * </ul>
 * Spring gives each phase a time limit ({@code spring.lifecycle.timeout-per-shutdown-phase}, 30 s in Boot),
 * after which it moves on to the next phase. The worker may need its whole shutdown timeout plus
 * {@link #HAND_BACK_ALLOWANCE}, so on start it sets that limit for its own phase on the context's
 * {@link DefaultLifecycleProcessor}; otherwise a long task could outlive the Redis client it reports to.
 */
public class TaskQueueWorkerLifecycle implements SmartLifecycle, BeanFactoryAware {

    /** The lifecycle phase of the worker (see the class comment for why). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    /** Time a stop may take beyond the shutdown timeout: recording the last outcomes and handing tasks back. */
    public static final Duration HAND_BACK_ALLOWANCE = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(TaskQueueWorkerLifecycle.class);

    private final Supplier<Worker> workers;
    private final boolean keepAlive;
    private final boolean autoStartup;
    private @Nullable BeanFactory beanFactory;
    private volatile @Nullable Worker worker;
    private volatile boolean running;
    /** Keeps the JVM alive while the worker runs; written under this object's lock. */
    private @Nullable Thread keepAliveThread;

    /** @param workers makes a new, unstarted worker; called on each start */
    public TaskQueueWorkerLifecycle(Supplier<Worker> workers) {
        this(workers, true);
    }

    /**
     * @param workers makes a new, unstarted worker; called on each start
     * @param keepAlive whether a running worker keeps the JVM alive (see the class comment)
     */
    public TaskQueueWorkerLifecycle(Supplier<Worker> workers, boolean keepAlive) {
        this(workers, keepAlive, true);
    }

    /**
     * @param workers makes a new, unstarted worker; called on each start
     * @param keepAlive whether a running worker keeps the JVM alive (see the class comment)
     * @param autoStartup whether the worker starts with the context; if not, {@link #start()} starts it
     */
    public TaskQueueWorkerLifecycle(Supplier<Worker> workers, boolean keepAlive, boolean autoStartup) {
        this.workers = workers;
        this.keepAlive = keepAlive;
        this.autoStartup = autoStartup;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        Worker started = workers.get();
        allowTimeToStop(started.settings().shutdownTimeout().plus(HAND_BACK_ALLOWANCE));
        started.start();
        worker = started;
        running = true;
        if (keepAlive) {
            keepAliveThread = keepAlive(started.id());
        }
    }

    @Override
    public void stop(Runnable callback) {
        Stopping stopping = stopping();
        Worker stopped = stopping.worker();
        if (stopped == null) {
            callback.run();
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                stopped.stop();
            }
            catch (RuntimeException ex) {
                log.warn("Worker {} did not stop cleanly; its unfinished tasks run again once it is seen dead",
                        stopped.id(), ex);
            }
            finally {
                stopping.releaseKeepAlive();
                callback.run();
            }
        }, "taskqueue-worker-stop");
        thread.start();
    }

    @Override
    public void stop() {
        Stopping stopping = stopping();
        Worker stopped = stopping.worker();
        try {
            if (stopped != null) {
                stopped.stop();
            }
        }
        finally {
            stopping.releaseKeepAlive();
        }
    }

    private synchronized Stopping stopping() {
        running = false;
        Stopping stopping = new Stopping(worker, keepAliveThread);
        keepAliveThread = null;
        return stopping;
    }

    /** The worker to stop, and the thread that keeps the JVM alive until it has stopped. */
    private record Stopping(@Nullable Worker worker, @Nullable Thread keepAlive) {

        void releaseKeepAlive() {
            if (keepAlive != null) {
                keepAlive.interrupt();
            }
        }
    }

    /**
     * A non-daemon thread that lives until interrupted, as Boot's {@code spring.main.keep-alive} thread does: its
     * only job is to keep the JVM from exiting while the worker runs.
     */
    private static Thread keepAlive(String workerId) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            }
            catch (InterruptedException ex) {
                // released: the worker has stopped
            }
        }, "taskqueue-keep-alive-" + workerId);
        thread.setDaemon(false);
        thread.start();
        return thread;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The current worker: running, stopping or stopped; null before the first start. */
    public @Nullable Worker worker() {
        return worker;
    }

    private void allowTimeToStop(Duration needed) {
        BeanFactory factory = beanFactory;
        String name = AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME;
        if (factory != null && factory.containsBean(name)
                && factory.getBean(name) instanceof DefaultLifecycleProcessor processor) {
            processor.setTimeoutForShutdownPhase(PHASE, needed.toMillis());
        }
    }
}
