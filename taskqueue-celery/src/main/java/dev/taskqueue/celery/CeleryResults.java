package dev.taskqueue.celery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Celery's Redis result backend: one string per task, {@code celery-task-meta-<id>}, holding its meta as JSON, and a
 * channel of the same name on which every write is published.
 *
 * <pre>
 * GET celery-task-meta-&lt;id&gt;                                   a read; absent means PENDING
 * SET celery-task-meta-&lt;id&gt; &lt;meta&gt; EX &lt;ttl&gt; ; PUBLISH ...   a write (in one script: skipped if SUCCESS is stored)
 * SUBSCRIBE celery-task-meta-&lt;id&gt;                             a waiter, as Python's AsyncResult.get()
 * </pre>
 *
 * Waiters of an instance share one subscription connection; a poll every second (one {@code MGET} for them all)
 * backs it up, since a publish made while the subscription was being set up, or cut off, is lost.
 */
final class CeleryResults implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CeleryResults.class);

    /** Celery's {@code result_expires} default: one day. */
    static final Duration DEFAULT_EXPIRES = Duration.ofDays(1);

    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    /**
     * Lua: whether a stored meta is a SUCCESS, which Celery never replaces. Anchored at the first field, where Celery
     * and taskqueue both write the status: a {@code "status": "SUCCESS"} inside the arguments does not count.
     */
    static final String IS_SUCCESS = """
            local function is_success(meta)
              return meta and string.find(meta, '^%s*{%s*"status"%s*:%s*"SUCCESS"') ~= nil
            end
            """;

    // KEYS[i]: celery-task-meta-<id>; ARGV[1]: TTL in seconds (0: none); ARGV[i + 1]: the meta of KEYS[i]
    // Returns how many were written: a stored SUCCESS is final (Celery's own guard), the others are replaced.
    static final CeleryRedis.Script STORE = new CeleryRedis.Script(IS_SUCCESS + """
            local ttl = tonumber(ARGV[1])
            local written = 0
            for i = 1, #KEYS do
              if not is_success(redis.call('GET', KEYS[i])) then
                if ttl > 0 then
                  redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ttl)
                else
                  redis.call('SET', KEYS[i], ARGV[i + 1])
                end
                redis.call('PUBLISH', KEYS[i], ARGV[i + 1])
                written = written + 1
              end
            end
            return written
            """);

    private final CeleryRedis redis;
    private final Duration expires;
    private final Map<String, List<CompletableFuture<ObjectNode>>> waiters = new ConcurrentHashMap<>();
    private final Object subscribing = new Object();
    private @Nullable StatefulRedisPubSubConnection<String, String> subscription;
    private volatile @Nullable ScheduledExecutorService poller;

    CeleryResults(CeleryRedis redis, Duration expires) {
        this.redis = redis;
        this.expires = expires;
    }

    Duration expires() {
        return expires;
    }

    /** The task's meta, or null while it is PENDING (or its result expired). */
    @Nullable ObjectNode read(String taskId) {
        return parse(taskId, redis.await(redis.commands().get(CeleryKeys.result(taskId)), "read a Celery result"));
    }

    /** Writes metas (each with its {@code task_id}), in one round trip. */
    void store(List<ObjectNode> metas) {
        if (metas.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(metas.size());
        List<String> args = new ArrayList<>(metas.size() + 1);
        args.add(Long.toString(expires.toSeconds()));
        for (ObjectNode meta : metas) {
            keys.add(CeleryKeys.result(meta.path("task_id").asString()));
            args.add(CeleryJson.MAPPER.writeValueAsString(meta));
        }
        STORE.run(redis, "store Celery results", ScriptOutputType.INTEGER, keys, args);
    }

    /** Completes when the task's meta says it is ready (SUCCESS, FAILURE or REVOKED). */
    CompletableFuture<ObjectNode> whenReady(String taskId) {
        CompletableFuture<ObjectNode> ready = new CompletableFuture<>();
        waiters.compute(taskId, (id, list) -> { // atomically: a waiter leaving cannot drop this one's list
            List<CompletableFuture<ObjectNode>> added = list != null ? list : new CopyOnWriteArrayList<>();
            added.add(ready);
            return added;
        });
        ready.whenComplete((meta, error) -> forget(taskId, ready));
        try {
            subscribe(taskId);
            ObjectNode meta = read(taskId); // written before the subscription took
            if (meta != null && isReady(meta)) {
                ready.complete(meta);
            }
        }
        catch (RuntimeException ex) {
            ready.completeExceptionally(ex);
        }
        return ready;
    }

    static boolean isReady(JsonNode meta) {
        String status = meta.path("status").asString("");
        return CeleryProtocol.SUCCESS.equals(status) || CeleryProtocol.FAILURE.equals(status)
                || CeleryProtocol.REVOKED.equals(status);
    }

    private void subscribe(String taskId) {
        synchronized (subscribing) {
            if (subscription == null) {
                StatefulRedisPubSubConnection<String, String> connection = redis.pubSub();
                connection.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        String id = channel.substring("celery-task-meta-".length());
                        ObjectNode meta = parse(id, message);
                        ScheduledExecutorService executor = poller;
                        if (meta != null && isReady(meta) && executor != null) {
                            // Not on Lettuce's I/O thread: what a caller chains on its future may call Redis.
                            executor.execute(() -> complete(id, meta));
                        }
                    }
                });
                subscription = connection;
                ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "taskqueue-celery-results");
                    thread.setDaemon(true);
                    return thread;
                });
                executor.scheduleWithFixedDelay(this::poll, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(),
                        TimeUnit.MILLISECONDS);
                poller = executor;
            }
            redis.await(subscription.async().subscribe(CeleryKeys.result(taskId)), "subscribe to a Celery result");
        }
    }

    /** The back-up of the subscription: one MGET for every task waited for. */
    private void poll() {
        Set<String> ids = waiters.keySet();
        if (ids.isEmpty()) {
            return;
        }
        try {
            List<String> list = List.copyOf(ids);
            String[] keys = list.stream().map(CeleryKeys::result).toArray(String[]::new);
            List<KeyValue<String, String>> values = redis.await(redis.commands().mget(keys), "poll Celery results");
            for (int i = 0; i < values.size(); i++) {
                KeyValue<String, String> value = values.get(i);
                if (value.hasValue()) {
                    ObjectNode meta = parse(list.get(i), value.getValue());
                    if (meta != null && isReady(meta)) {
                        complete(list.get(i), meta);
                    }
                }
            }
        }
        catch (RuntimeException ex) {
            log.debug("Could not poll Celery results; the next poll tries again", ex);
        }
    }

    private void complete(String taskId, ObjectNode meta) {
        List<CompletableFuture<ObjectNode>> futures = waiters.get(taskId);
        if (futures != null) {
            for (CompletableFuture<ObjectNode> future : futures) {
                future.complete(meta);
            }
        }
    }

    private void forget(String taskId, CompletableFuture<ObjectNode> future) {
        boolean last = waiters.computeIfPresent(taskId, (id, list) -> {
            list.remove(future);
            return list.isEmpty() ? null : list;
        }) == null;
        if (last) {
            synchronized (subscribing) { // not between another waiter's registration and its SUBSCRIBE
                StatefulRedisPubSubConnection<String, String> connection = subscription;
                if (!waiters.containsKey(taskId) && connection != null && connection.isOpen()) {
                    connection.async().unsubscribe(CeleryKeys.result(taskId));
                }
            }
        }
    }

    private static @Nullable ObjectNode parse(String taskId, @Nullable String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode meta = CeleryJson.MAPPER.readTree(json);
            if (meta.isObject()) {
                return (ObjectNode) meta;
            }
        }
        catch (JacksonException ex) {
            // reported below
        }
        log.warn("The Celery result of task [{}] is not a JSON object, as Celery writes it: {}", taskId,
                json.length() > 200 ? json.substring(0, 200) + "..." : json);
        return null;
    }

    @Override
    public void close() {
        synchronized (subscribing) {
            if (poller != null) {
                poller.shutdownNow();
            }
            if (subscription != null) {
                subscription.closeAsync();
            }
        }
    }
}
