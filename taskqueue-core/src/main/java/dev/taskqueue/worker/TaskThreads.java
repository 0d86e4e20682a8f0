package dev.taskqueue.worker;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads tasks run on: a virtual thread per task on Java 21+ (the code is compiled for 17, so the call is
 * reflective), else a pool of platform threads that grows as needed and shrinks when idle. Either way the
 * worker's slots bound how many tasks run at once; the pool is not bounded itself because a thread stuck past a
 * hard time limit no longer holds a slot, and must not keep a new task from starting.
 */
final class TaskThreads {

    private static final Logger log = LoggerFactory.getLogger(TaskThreads.class);

    private TaskThreads() {
    }

    static ExecutorService create(boolean virtualThreads, String namePrefix) {
        if (virtualThreads && Runtime.version().feature() >= 21) {
            try {
                Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                builder = builderType.getMethod("name", String.class, long.class).invoke(builder, namePrefix, 0L);
                ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
                Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
                return (ExecutorService) perTask.invoke(null, factory);
            }
            catch (ReflectiveOperationException ex) {
                log.warn("Could not create virtual threads on Java {}; using platform threads",
                        Runtime.version().feature(), ex);
            }
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, namePrefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
    }

    /** One daemon thread for timers (time limits, delayed progress reports). */
    static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> daemon(name,
                runnable));
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }

    /** A daemon platform thread for one of the worker's parts. */
    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
