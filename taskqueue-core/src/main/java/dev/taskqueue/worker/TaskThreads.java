package dev.taskqueue.worker;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads tasks run on: a virtual thread per task on Java 21+ (the code is compiled for 17, so the call is
 * reflective), else a pool of {@code concurrency} platform threads. Either way the worker's slots bound how many
 * run at once.
 */
final class TaskThreads {

    private static final Logger log = LoggerFactory.getLogger(TaskThreads.class);

    private TaskThreads() {
    }

    static ExecutorService create(int concurrency, boolean virtualThreads, String namePrefix) {
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
                log.warn("Could not create virtual threads on Java {}; using a pool of {} platform threads",
                        Runtime.version().feature(), concurrency, ex);
            }
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, namePrefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(concurrency, concurrency, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A daemon platform thread for one of the worker's parts. */
    static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
