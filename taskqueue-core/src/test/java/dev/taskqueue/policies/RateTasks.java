package dev.taskqueue.policies;

import dev.taskqueue.Task;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

/** A rate-limited task that records every start in Redis, so that starts in several JVMs can be compared. */
public class RateTasks {

    private final String worker;
    private final RedisCommands<String, String> redis;

    public RateTasks(String worker, RedisClient client) {
        this.worker = worker;
        this.redis = client.connect().sync();
    }

    @Task(name = "rate.limited", rateLimit = "20/s")
    public void limited(String key) {
        redis.rpush("rate:starts", System.currentTimeMillis() + " " + worker + " " + key);
    }

    @Task(name = "rate.free")
    public void free(String key) {
        redis.rpush("rate:free", System.currentTimeMillis() + " " + worker + " " + key);
    }
}
