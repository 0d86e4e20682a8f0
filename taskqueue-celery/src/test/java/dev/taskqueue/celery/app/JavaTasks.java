package dev.taskqueue.celery.app;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Java tasks that Python calls, on the Celery queue "java". */
@Component
public class JavaTasks {

    /** What {@link #record} saw, by key. */
    public static final Map<String, List<Object>> RECORDED = new ConcurrentHashMap<>();

    private static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();

    @Task(name = "java.add", queue = "java")
    public int add(int x, int y) {
        return x + y;
    }

    @Task(name = "java.greet", queue = "java")
    public String greet(String name, String greeting) {
        return greeting + ", " + name;
    }

    @Task(name = "java.tsum", queue = "java")
    public int tsum(List<Integer> numbers) {
        return numbers.stream().mapToInt(Integer::intValue).sum();
    }

    @Task(name = "java.fail", queue = "java")
    public String fail(String message) {
        throw new IllegalStateException(message);
    }

    @Task(name = "java.slow", queue = "java")
    public int slow(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    /** Fails its first attempt for a key, then succeeds. */
    @Task(name = "java.flaky", queue = "java", retry = @Retry(maxRetries = 2, delay = "200ms"))
    public String flaky(String key) {
        if (ATTEMPTS.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement() == 0) {
            throw new IllegalStateException("first attempt of " + key);
        }
        return "ok after retry";
    }

    /** A task of taskqueue's own queues, beside the Celery ones. */
    @Task(name = "native.twice", queue = "native")
    public int twice(int x) {
        return 2 * x;
    }

    /** Also a Python task: either side may run it. */
    @Task(name = "shared.slow_add", queue = "shared")
    public int sharedSlowAdd(int x, int y, double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return x + y;
    }

    private final ObjectProvider<StringRedisTemplate> redis;

    public JavaTasks(ObjectProvider<StringRedisTemplate> redis) {
        this.redis = redis;
    }

    /** Records its value here and in the Redis list {@code java-recorded:<key>}, seen from other processes. */
    @Task(name = "java.record", queue = "java")
    public @Nullable Object record(@Nullable Object value, String key) {
        RECORDED.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value == null ? "null" : value);
        StringRedisTemplate template = redis.getIfAvailable();
        if (template != null) {
            template.opsForList().rightPush("java-recorded:" + key, value == null ? "null" : "\"" + value + "\"");
        }
        return value;
    }
}
