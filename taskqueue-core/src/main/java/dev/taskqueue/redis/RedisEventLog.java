package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEventLog;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide event stream {@code {p}:events}: every instance appends its task events, capped at a length
 * ({@code XADD MAXLEN ~}), and anyone reads the latest. Appending never slows a task: events wait in a bounded
 * buffer and a background thread sends them in batches; when the buffer is full (Redis slow or down), new events
 * are dropped and counted. An event carries a task's id, name, queue, times and error, never its arguments or result:
 * nothing in it is {@link dev.taskqueue.Sensitive}, so nothing is masked here (an error message is the task's own
 * text: a task that puts secrets in its exceptions shows them wherever errors are shown).
 */
public final class RedisEventLog implements Consumer<TaskEvent>, TaskEventLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisEventLog.class);

    /** Events waiting to be sent; more are dropped. */
    private static final int BUFFER = 10_000;

    private final RedisConnections redis;
    private final byte[] key;
    private final long maxLength;
    private final BlockingQueue<TaskEvent> buffer = new ArrayBlockingQueue<>(BUFFER);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;

    /**
     * An event log on the stream of {@code stores}' key prefix, with a sending thread of its own: close it.
     *
     * @param maxLength about how many events the stream keeps
     */
    public RedisEventLog(RedisStores stores, long maxLength) {
        this.redis = stores.connections();
        this.key = stores.keys().events();
        this.maxLength = maxLength;
        this.sender = new Thread(this::sendLoop, "taskqueue-event-log");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    @Override
    public void accept(TaskEvent event) {
        if (!buffer.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Events dropped because the buffer was full. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public List<TaskEvent> recent(int count) {
        List<StreamMessage<byte[], byte[]>> entries = redis.await(redis.commands().xrevrange(key,
                Range.create("-", "+"), Limit.from(count)), "read the event stream");
        List<TaskEvent> events = new ArrayList<>(entries.size());
        for (StreamMessage<byte[], byte[]> entry : entries) {
            Map<String, String> f = new HashMap<>();
            entry.getBody().forEach((k, v) -> f.put(string(k), string(v)));
            TaskEvent.Type type = type(f.get("type"));
            if (type == null) {
                continue; // not written by taskqueue: it shows nothing, and hides no other event
            }
            long ms = RedisValues.number(f.get("ms"), -1);
            events.add(new TaskEvent(type, f.get("id"), f.get("task"), f.get("queue"),
                    Instant.ofEpochMilli(RedisValues.number(f.get("at"), 0)), f.get("source"),
                    ms < 0 ? null : Duration.ofMillis(ms), f.get("error"), f.get("message")));
        }
        return events;
    }

    private static TaskEvent.@Nullable Type type(@Nullable String name) {
        for (TaskEvent.Type type : TaskEvent.Type.values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }

    private void sendLoop() {
        List<TaskEvent> batch = new ArrayList<>();
        while (running || !buffer.isEmpty()) {
            try {
                TaskEvent first = buffer.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                buffer.drainTo(batch, 499);
                List<CompletableFuture<String>> replies = new ArrayList<>();
                XAddArgs args = XAddArgs.Builder.maxlen(maxLength).approximateTrimming();
                for (TaskEvent event : batch) {
                    replies.add(redis.commands().xadd(key, args, fields(event)).toCompletableFuture());
                }
                for (CompletableFuture<String> reply : replies) {
                    redis.await(reply, "append to the event stream");
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException ex) {
                dropped.addAndGet(batch.size());
                log.debug("Could not append {} event(s) to the event stream", batch.size(), ex);
            }
            batch.clear();
        }
    }

    private static Map<byte[], byte[]> fields(TaskEvent event) {
        Map<byte[], byte[]> f = new LinkedHashMap<>();
        f.put(bytes("type"), bytes(event.type().name()));
        f.put(bytes("id"), bytes(event.taskId()));
        f.put(bytes("task"), bytes(event.taskName()));
        f.put(bytes("queue"), bytes(event.queue()));
        f.put(bytes("at"), bytes(Long.toString(event.at().toEpochMilli())));
        f.put(bytes("source"), bytes(event.source()));
        put(f, "ms", event.duration() == null ? null : Long.toString(event.duration().toMillis()));
        put(f, "error", event.errorType());
        put(f, "message", event.errorMessage());
        return f;
    }

    private static void put(Map<byte[], byte[]> fields, String name, @Nullable String value) {
        if (value != null) {
            fields.put(bytes(name), bytes(value));
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            sender.join(2_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
