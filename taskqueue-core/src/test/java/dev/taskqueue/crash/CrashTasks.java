package dev.taskqueue.crash;

import dev.taskqueue.Task;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

/** A task that records in Redis when it starts and ends, so a test can see runs in any process. */
public class CrashTasks {

    private final String worker;
    private final RedisCommands<String, String> redis;

    public CrashTasks(String worker, RedisClient client) {
        this.worker = worker;
        this.redis = client.connect().sync();
    }

    @Task(name = "crash.work")
    public String work(String key, long millis) throws InterruptedException {
        redis.hincrby("crash:starts", key, 1);
        redis.rpush("crash:log", key + " " + worker + " " + System.currentTimeMillis());
        Thread.sleep(millis);
        redis.hincrby("crash:completions", key, 1);
        return key;
    }
}
