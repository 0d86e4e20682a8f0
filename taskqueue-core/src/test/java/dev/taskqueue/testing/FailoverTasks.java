package dev.taskqueue.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Task;

/** The short task of the failover tests: it counts its runs by key, in the worker's memory. */
public class FailoverTasks {

    public static final String QUEUE = "failover";

    public final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    public final AtomicInteger completed = new AtomicInteger();

    @Task(name = "failover.work", queue = QUEUE)
    public String work(String key, long millis) throws InterruptedException {
        runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Thread.sleep(millis);
        completed.incrementAndGet();
        return key;
    }
}
