package dev.taskqueue.workflow;

import java.util.List;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;

/** Chord members and callback that record every run in Redis, so a test sees runs in any process. */
public class ChordTasks {

    private final String worker;
    private final RedisCommands<String, String> redis;

    public ChordTasks(String worker, RedisClient client) {
        this.worker = worker;
        this.redis = client.connect().sync();
    }

    /** Every 97th member fails its first attempt and is retried. */
    @Task(name = "chord.square", retry = @Retry(maxRetries = 3, delay = "100ms"))
    public int square(int i) throws InterruptedException {
        redis.hincrby("chord:runs", Integer.toString(i), 1);
        redis.hincrby("chord:workers", worker, 1);
        Thread.sleep(15);
        if (i % 97 == 0 && TaskContext.current().attempt() == 1) {
            throw new IllegalStateException("first attempt of " + i + " fails");
        }
        return i * i;
    }

    @Task(name = "chord.collect")
    public int collect(List<Integer> squares) {
        redis.incr("chord:callbacks");
        redis.set("chord:result", squares.toString());
        return squares.size();
    }
}
