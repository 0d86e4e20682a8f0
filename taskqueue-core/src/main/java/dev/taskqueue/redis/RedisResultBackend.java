package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskInfo;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.TaskRecords;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads task records, and tells waiters when tasks finish.
 *
 * <p>Waiting works without polling each task: a waiter adds this instance's id to the record's {@code notify}
 * field (atomically with a check that the task has not finished yet); the script that records the outcome
 * publishes the task id on {@code <prefix>:notify:<instance id>}, to which this instance subscribes once. A
 * slow poll (1 s, doubling to 10 s) backs up the notification, for a subscription that was down at the wrong
 * moment.
 */
public final class RedisResultBackend implements ResultBackend, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisResultBackend.class);

    /** How long a waiter waits for the notification before its first poll, by default. */
    public static final Duration DEFAULT_FIRST_POLL = Duration.ofSeconds(1);
    private static final Duration MAX_POLL = Duration.ofSeconds(10);

    private final RedisBroker broker;
    private final RedisConnections redis;
    private final RedisKeys keys;
    private final long watchTtlMillis;
    private final Duration firstPoll;
    private final String instanceId = UUID.randomUUID().toString().replace("-", "");
    private final Map<String, Waiters> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "taskqueue-result-poller");
        thread.setDaemon(true);
        return thread;
    });
    private volatile RedisSubscriptions.@Nullable Subscription subscription;

    /**
     * @param broker the broker whose records to read
     * @param recordTtl how long a record created by a waiter (before the task started) lives
     */
    public RedisResultBackend(RedisBroker broker, Duration recordTtl) {
        this(broker, recordTtl, DEFAULT_FIRST_POLL);
    }

    /**
     * @param broker the broker whose records to read
     * @param recordTtl how long a record created by a waiter (before the task started) lives
     * @param firstPoll how long a waiter waits for the notification before it first reads the record itself (then
     *        twice as long each time, up to 10 s)
     */
    public RedisResultBackend(RedisBroker broker, Duration recordTtl, Duration firstPoll) {
        this.broker = broker;
        this.redis = broker.connections();
        this.keys = broker.keys();
        this.watchTtlMillis = recordTtl.toMillis();
        this.firstPoll = firstPoll;
    }

    /*
     * KEYS[1] {q}:t:<id>   KEYS[2] {q}:dp   ARGV[1] task id
     * Returns { the record as a flat field/value list, 1 if the task waits in the delayed set else 0 }.
     */
    private static final LuaScript READ = new LuaScript("read-record", """
            return { redis.call('HGETALL', KEYS[1]), redis.call('HEXISTS', KEYS[2], ARGV[1]) }
            """, ScriptOutputType.MULTI);

    @Override
    public TaskInfo find(@Nullable String queue, String taskId) {
        List<String> queues = queue != null ? List.of(queue) : new ArrayList<>(allQueues());
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String q : queues) {
            replies.add(READ.run(redis.commands(), new byte[][] { keys.record(q, taskId), keys.delayedPayloads(q) },
                    bytes(taskId)));
        }
        TaskInfo found = null;
        for (int i = 0; i < replies.size(); i++) {
            List<Object> reply = redis.await(replies.get(i), "read the record of task " + taskId);
            TaskInfo info = toInfo(taskId, queues.get(i), (List<?>) reply.get(0), (Long) reply.get(1) == 1L);
            if (found == null && info != null) {
                found = info;
            }
        }
        return found != null ? found : TaskInfo.pending(taskId, queue);
    }

    private Set<String> allQueues() {
        return broker.queues();
    }

    private static @Nullable TaskInfo toInfo(String id, String queue, List<?> flat, boolean delayed) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(string(flat.get(i)), string(flat.get(i + 1)));
        }
        return TaskRecords.toInfo(id, queue, fields, delayed);
    }

    // ------------------------------------------------------------------------------------------ waiting

    /*
     * KEYS[1] {q}:t:<id>   ARGV[1] this instance's id   ARGV[2] ttl ms for a record that does not exist yet
     * Returns 1 if the task already finished, else registers the instance in 'notify' and returns 0.
     */
    private static final LuaScript WATCH = new LuaScript("watch", """
            local state = redis.call('HGET', KEYS[1], 'state')
            if state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then return 1 end
            local waiters = redis.call('HGET', KEYS[1], 'notify') or ''
            if not string.find(' ' .. waiters .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) then
              redis.call('HSET', KEYS[1], 'notify', waiters .. ' ' .. ARGV[1])
            end
            if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public CompletableFuture<TaskInfo> whenFinished(@Nullable String queue, String taskId) {
        CompletableFuture<TaskInfo> future = new CompletableFuture<>();
        // Joining and leaving are atomic per task id: a waiter must never join an entry that is being removed.
        waiting.compute(taskId, (id, waiters) -> {
            Waiters joined = waiters != null ? waiters : new Waiters(queue);
            joined.futures.add(future);
            return joined;
        });
        future.whenComplete((info, failure) -> waiting.computeIfPresent(taskId, (id, waiters) -> {
            waiters.futures.remove(future);
            return waiters.futures.isEmpty() ? null : waiters;
        }));
        try {
            subscribe();
            if (queue != null) {
                Long done = redis.await(WATCH.run(redis.commands(), new byte[][] { keys.record(queue, taskId) },
                        bytes(instanceId), bytes(Long.toString(watchTtlMillis))), "wait for task " + taskId);
                if (done == 1L) {
                    check(taskId);
                    return future;
                }
            }
            schedulePoll(taskId, firstPoll);
        }
        catch (RuntimeException ex) {
            future.completeExceptionally(ex);
        }
        return future;
    }

    /** Subscribes once, and again if the connection was closed (its client was replaced). */
    private void subscribe() {
        if (subscription == null) {
            synchronized (this) {
                if (subscription == null) {
                    subscription = redis.subscriptions().subscribe(keys.notifyChannelPrefix() + instanceId,
                            message -> check(string(message)));
                    return;
                }
            }
        }
        redis.subscriptions().reopenIfClosed();
    }

    /** Reads the record, off the caller's thread, and completes the waiters if the task finished. */
    private void check(String taskId) {
        Waiters waiters = waiting.get(taskId);
        if (waiters == null) {
            return;
        }
        poller.execute(() -> {
            try {
                TaskInfo info = find(waiters.queue, taskId);
                if (info.state().isFinished()) {
                    for (CompletableFuture<TaskInfo> f : waiters.futures) {
                        CompletableFuture.runAsync(() -> f.complete(info));
                    }
                }
            }
            catch (RuntimeException ex) {
                log.debug("Could not read the record of task {}; will poll again", taskId, ex);
            }
        });
    }

    private void schedulePoll(String taskId, Duration delay) {
        poller.schedule(() -> {
            Waiters waiters = waiting.get(taskId);
            if (waiters == null) {
                return;
            }
            check(taskId);
            Duration next = delay.multipliedBy(2);
            schedulePoll(taskId, next.compareTo(MAX_POLL) > 0 ? MAX_POLL : next);
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static final class Waiters {

        private final @Nullable String queue;
        private final List<CompletableFuture<TaskInfo>> futures = new CopyOnWriteArrayList<>();

        Waiters(@Nullable String queue) {
            this.queue = queue;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        RedisSubscriptions.Subscription current = subscription;
        if (current != null) {
            current.close();
        }
        waiting.values().forEach(w -> w.futures.forEach(f -> f.cancel(false)));
    }

}
