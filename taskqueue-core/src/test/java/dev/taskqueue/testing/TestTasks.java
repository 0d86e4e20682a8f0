package dev.taskqueue.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Task;

/** Tasks for the engine's tests. Each instance counts its own runs. */
public class TestTasks {

    /** A value that travels as JSON. */
    public record Thumbnail(String imageId, int width, List<String> tags) {
    }

    public final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    public final List<String> order = new CopyOnWriteArrayList<>();
    public final AtomicInteger running = new AtomicInteger();
    public final AtomicInteger maxRunning = new AtomicInteger();
    public final AtomicInteger completed = new AtomicInteger();
    public volatile CountDownLatch gate = new CountDownLatch(0);
    public final Map<String, Long> startedAt = new ConcurrentHashMap<>();

    private void count(String key) {
        runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        order.add(key);
    }

    public int runsOf(String key) {
        AtomicInteger n = runs.get(key);
        return n == null ? 0 : n.get();
    }

    @Task(name = "test.add")
    public int add(int a, int b) {
        count("add:" + a + "+" + b);
        return a + b;
    }

    @Task(name = "test.thumbnail", queue = "images")
    public Thumbnail thumbnail(String imageId, int width) {
        count("thumbnail:" + imageId);
        return new Thumbnail(imageId, width, List.of("w" + width));
    }

    @Task(name = "test.echo")
    public String echo(String value) {
        count(value);
        startedAt.put(value, System.currentTimeMillis());
        return value;
    }

    @Task(name = "test.log")
    public void log(String value) {
        count(value);
    }

    @Task(name = "test.fail")
    public String fail(String message) {
        count("fail:" + message);
        throw new IllegalStateException(message);
    }

    /** Runs for {@code millis}, counting how many run at once. */
    @Task(name = "test.slow")
    public String slow(String key, long millis) throws InterruptedException {
        count(key);
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(millis);
            return key;
        }
        finally {
            running.decrementAndGet();
            completed.incrementAndGet();
        }
    }

    /** Waits for {@link #gate} to open (at most 30 s). */
    @Task(name = "test.gated")
    public String gated(String key) throws InterruptedException {
        count(key);
        running.incrementAndGet();
        try {
            gate.await(30, TimeUnit.SECONDS);
            return key;
        }
        finally {
            running.decrementAndGet();
        }
    }

    @Task(name = "test.fireAndForget", ignoreResult = true)
    public String fireAndForget(String key) {
        count(key);
        return key;
    }

    @Task(name = "test.urgent", queue = "urgent", priority = 9)
    public String urgent(String key) {
        count(key);
        return key;
    }
}
