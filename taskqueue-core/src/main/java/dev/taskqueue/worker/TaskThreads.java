package dev.taskqueue.worker;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's threads, each reporting to the worker's {@link FatalErrors} the error that ends it (and its timers,
 * whose executor would otherwise keep a task's error in a future no one reads).
 * <p>
 * The threads tasks run on: a virtual thread per task on Java 21+ (the code is compiled for 17, so the call is
 * reflective), else a pool of {@code concurrency} platform threads on one queue, so that under load a thread that
 * finishes a task takes the next without being parked and woken, {@linkplain TaskExecutor#resize resized} with the
 * worker's slots when its concurrency adapts. The worker's slots bound how many tasks run at once. A thread stuck past a hard time limit no longer holds a slot but still holds a pool thread: the pool
 * {@linkplain TaskExecutor#lend() lends} one more thread until it comes back.
 */
final class TaskThreads {

    private static final Logger log = LoggerFactory.getLogger(TaskThreads.class);

    private TaskThreads() {
    }

    /** Runs tasks; can make room for a thread that is stuck. */
    interface TaskExecutor {

        void execute(Runnable task);

        /** One more thread, for as long as a stuck thread holds one: call {@code returned} when it comes back. */
        Runnable lend();

        /**
         * Follows the worker's slots, {@code delta} more or fewer (before they grow, after they shrink): a pool
         * keeps one thread per slot; a thread running a task when the pool shrinks ends after it.
         */
        void resize(int delta);

        void shutdownNow();

        boolean awaitTermination(long millis) throws InterruptedException;
    }

    static TaskExecutor create(int concurrency, boolean virtualThreads, String namePrefix,
            Thread.UncaughtExceptionHandler onError) {
        ExecutorService virtual = virtualThreads ? virtualThreads(namePrefix, onError) : null;
        if (virtual != null) {
            return new TaskExecutor() {
                @Override
                public void execute(Runnable task) {
                    virtual.execute(task);
                }

                @Override
                public Runnable lend() {
                    return () -> { }; // a virtual thread per task: a stuck one holds nothing another task needs
                }

                @Override
                public void resize(int delta) {
                    // a virtual thread per task: nothing to size
                }

                @Override
                public void shutdownNow() {
                    virtual.shutdownNow();
                }

                @Override
                public boolean awaitTermination(long millis) throws InterruptedException {
                    return virtual.awaitTermination(millis, TimeUnit.MILLISECONDS);
                }
            };
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> daemon(namePrefix + count.getAndIncrement(), task, onError);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return new TaskExecutor() {
            @Override
            public void execute(Runnable task) {
                pool.execute(task);
            }

            @Override
            public synchronized Runnable lend() {
                resize(+1);
                AtomicBoolean returned = new AtomicBoolean();
                return () -> {
                    if (returned.compareAndSet(false, true)) {
                        resize(-1);
                    }
                };
            }

            @Override
            public synchronized void resize(int delta) {
                // The maximum first when growing, the core first when shrinking: core may never exceed maximum.
                if (delta > 0) {
                    pool.setMaximumPoolSize(pool.getMaximumPoolSize() + delta);
                    pool.setCorePoolSize(pool.getCorePoolSize() + delta);
                }
                else {
                    pool.setCorePoolSize(pool.getCorePoolSize() + delta);
                    pool.setMaximumPoolSize(pool.getMaximumPoolSize() + delta);
                }
            }

            @Override
            public void shutdownNow() {
                pool.shutdownNow();
            }

            @Override
            public boolean awaitTermination(long millis) throws InterruptedException {
                return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
            }
        };
    }

    /**
     * Threads for tasks a transport runs through {@link InlineWorker#runner}: a virtual thread per task on Java 21+,
     * else up to {@code concurrency} daemon platform threads (the transport's slots bound how many run at once).
     */
    static ExecutorService perTask(int concurrency, String namePrefix, Thread.UncaughtExceptionHandler onError) {
        ExecutorService virtual = virtualThreads(namePrefix, onError);
        if (virtual != null) {
            return virtual;
        }
        AtomicLong count = new AtomicLong();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> daemon(namePrefix + count.getAndIncrement(), runnable,
                        onError));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Whether tasks will run on virtual threads: wanted, and on Java 21+. */
    static boolean virtualThreadsAvailable(boolean wanted) {
        return wanted && Runtime.version().feature() >= 21;
    }

    private static @Nullable ExecutorService virtualThreads(String namePrefix,
            Thread.UncaughtExceptionHandler onError) {
        if (virtualThreadsAvailable(true)) {
            try {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                builder = builderType.getMethod("name", String.class, long.class).invoke(builder, namePrefix, 0L);
                builder = builderType.getMethod("uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class)
                        .invoke(builder, onError);
                ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
                Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
                return (ExecutorService) perTask.invoke(null, factory);
            }
            catch (ReflectiveOperationException ex) {
                log.warn("Could not create virtual threads on Java {}; using platform threads",
                        Runtime.version().feature(), ex);
            }
        }
        return null;
    }

    /**
     * One daemon thread for timers (time limits, delayed progress reports). A timer's fatal error goes to
     * {@code onError}; any other is logged (the executor would keep it in the timer's future, unseen).
     */
    static ScheduledThreadPoolExecutor scheduler(String name, Thread.UncaughtExceptionHandler onError) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> daemon(name,
                runnable, onError)) {
            @Override
            protected void afterExecute(Runnable timer, @Nullable Throwable thrown) {
                Throwable error = thrown != null ? thrown : failureOf(timer);
                if (error != null && FatalErrors.isFatal(error)) {
                    onError.uncaughtException(Thread.currentThread(), error);
                }
                else if (error != null) {
                    log.error("A timer of {} failed", name, error);
                }
            }
        };
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /** What a timer threw, kept in its future. */
    private static @Nullable Throwable failureOf(Runnable timer) {
        if (timer instanceof Future<?> future && future.isDone() && !future.isCancelled()) {
            try {
                future.get();
            }
            catch (ExecutionException ex) {
                return ex.getCause();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        return null;
    }

    /** Interrupts a part's thread, if it was started. */
    static void interrupt(@Nullable Thread thread) {
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** A daemon platform thread of the worker, whose end by an error goes to {@code onError}. */
    static Thread daemon(String name, Runnable body, Thread.UncaughtExceptionHandler onError) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(onError);
        return thread;
    }
}
