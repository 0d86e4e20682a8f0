package dev.taskqueue.crash;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Task;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A task that records in Redis when it starts and ends, so a test can see runs in any process; and one that runs its
 * JVM out of memory.
 */
public class CrashTasks {

    /** The system property that lets {@link #exhaustMemory} do so: set only in a worker JVM with a small heap. */
    public static final String EXHAUST_MEMORY = "crash.exhaust-memory";

    private final String worker;
    private final RedisCommands<String, String> redis;

    public CrashTasks(String worker, RedisClient client) {
        this.worker = worker;
        this.redis = client.connect().sync();
    }

    /**
     * Runs for {@code millis} the first time it starts, and returns at once when it runs again (its worker died or
     * halted holding it): a test waits out a long task in the worker it takes down, not a second time in the one that
     * takes the task over.
     */
    @Task(name = "crash.work")
    public String work(String key, long millis) throws InterruptedException {
        long starts = redis.hincrby("crash:starts", key, 1);
        redis.rpush("crash:log", key + " " + worker + " " + System.currentTimeMillis());
        if (starts == 1) {
            Thread.sleep(millis);
        }
        redis.hincrby("crash:completions", key, 1);
        return key;
    }

    /** Returns at once: a short task, whose outcome is only its stored result. */
    @Task(name = "crash.quick")
    public String quick(String key) {
        return key;
    }

    /**
     * After {@code afterMillis}, allocates until the heap is exhausted: a real {@link OutOfMemoryError}, met by this
     * task's thread (or by any other that allocates meanwhile). Does nothing in a JVM without {@link #EXHAUST_MEMORY}.
     */
    @Task(name = "crash.exhaust-memory")
    public void exhaustMemory(long afterMillis) throws InterruptedException {
        if (!Boolean.getBoolean(EXHAUST_MEMORY)) {
            return;
        }
        Thread.sleep(afterMillis);
        redis.rpush("crash:log", "out-of-memory " + worker + " " + System.currentTimeMillis());
        List<long[]> heap = new ArrayList<>();
        while (true) {
            heap.add(new long[128 * 1024]); // 1 MiB
        }
    }
}
