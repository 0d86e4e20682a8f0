package dev.taskqueue.worker;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's threads, each reporting to the worker's {@link FatalErrors} the error that ends it (and its timers,
 * whose executor would otherwise keep a task's error in a future no one reads).
 * <p>
 * The threads tasks run on: a virtual thread per task on Java 21+ (the code is compiled for 17, so the call is
 * reflective), else a {@link TaskThreadPool} of platform threads that grows with demand. Either way the worker's slots
 * bound how many tasks run at once, and a thread stuck past a hard time limit, which no longer holds a slot, leaves
 * the next task a thread of its own.
 */
final class TaskThreads {

    private static final Logger log = LoggerFactory.getLogger(TaskThreads.class);

    /** How long a platform thread for tasks stays parked, unused, before it ends. */
    private static final long PLATFORM_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private TaskThreads() {
    }

    /**
     * The threads tasks run on: a virtual thread per task if {@code virtualThreads} is wanted and the JVM is 21+, else
     * platform threads started on demand. An error that ends one goes to {@code onError}.
     */
    static ExecutorService forTasks(boolean virtualThreads, String namePrefix,
            Thread.UncaughtExceptionHandler onError) {
        ExecutorService virtual = virtualThreads ? virtualThreads(namePrefix, onError) : null;
        return virtual != null ? virtual : new TaskThreadPool(namePrefix, onError, PLATFORM_KEEP_ALIVE_NANOS);
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
