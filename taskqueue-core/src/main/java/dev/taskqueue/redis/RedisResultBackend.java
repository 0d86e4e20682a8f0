package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.ResultBackend;
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

    private final RedisQueueNames queueNames;
    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisRecords records;
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
     * A result backend beside the one {@code stores} has ({@link RedisStores#results()}), with records of its own
     * TTL.
     *
     * @param stores the stores whose records to read
     * @param recordTtl how long a record created by a waiter (before the task started) lives
     */
    public RedisResultBackend(RedisStores stores, Duration recordTtl) {
        this(stores, recordTtl, DEFAULT_FIRST_POLL);
    }

    /**
     * A result backend beside the one {@code stores} has ({@link RedisStores#results()}), waiting as its own settings
     * say.
     *
     * @param stores the stores whose records to read
     * @param recordTtl how long a record created by a waiter (before the task started) lives
     * @param firstPoll how long a waiter waits for the notification before it first reads the record itself (then
     *        twice as long each time, up to 10 s)
     */
    public RedisResultBackend(RedisStores stores, Duration recordTtl, Duration firstPoll) {
        this(stores.connections(), stores.keys(), stores.queueNames(), recordTtl, firstPoll);
    }

    RedisResultBackend(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames, Duration recordTtl,
            Duration firstPoll) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
        this.records = new RedisRecords(redis, keys);
        this.watchTtlMillis = recordTtl.toMillis();
        this.firstPoll = firstPoll;
    }

    @Override
    public TaskInfo find(@Nullable String queue, String taskId) {
        Map<String, RedisRecords.Stored> found = records.read(queue != null ? List.of(queue) : queueNames.all(), taskId);
        String holder = RedisRecords.onlyQueue(taskId, found);
        return holder != null ? found.get(holder).info() : TaskInfo.pending(taskId, queue);
    }

    // ------------------------------------------------------------------------------------------ waiting

    /*
     * KEYS[1] {q}:t:<id>   ARGV[1] this instance's id   ARGV[2] ttl ms for a record that does not exist yet
     * Returns 1 if the task already finished, or if its record holds what taskqueue does not write (the reader says
     * what); else registers the instance in 'notify' and returns 0.
     */
    private static final LuaScript WATCH = new LuaScript("watch", """
            local kind = redis.call('TYPE', KEYS[1]).ok
            if kind ~= 'hash' and kind ~= 'none' then return 1 end
            local state = redis.call('HGET', KEYS[1], 'state')
            if state and state ~= 'PENDING' and state ~= 'SCHEDULED' and state ~= 'STARTED' and state ~= 'RETRY' then
              return 1
            end
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
        try {
            // Without a queue, the one that has the task now: its record can then tell this instance when it ends.
            String known = queue != null ? queue : find(null, taskId).queue();
            Waiter waiter = new Waiter(known, future);
            // Joining and leaving are atomic per task id: a waiter must never join an entry that is being removed.
            waiting.compute(taskId, (id, waiters) -> {
                Waiters joined = waiters != null ? waiters : new Waiters();
                joined.add(waiter);
                return joined;
            });
            future.whenComplete((info, failure) -> waiting.computeIfPresent(taskId, (id, waiters) -> {
                waiters.remove(waiter);
                return waiters.isEmpty() ? null : waiters;
            }));
            subscribe();
            if (known != null) {
                Long done = redis.await(WATCH.run(redis.commands(), new byte[][] { keys.record(known, taskId) },
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

    /**
     * Reads the record in each queue its waiters wait on, off the caller's thread, and completes those whose task
     * finished. A notification names only the task id, and the same caller-chosen id may name a task in each of
     * several queues: every waiter learns the outcome of its own queue's task, never another's.
     */
    private void check(String taskId) {
        Waiters waiters = waiting.get(taskId);
        if (waiters == null) {
            return;
        }
        poller.execute(() -> {
            Map<String, TaskInfo> read = new HashMap<>(); // by queue ("" for waiters that know none)
            for (Waiter waiter : waiters.all()) {
                TaskInfo info;
                try {
                    info = read.computeIfAbsent(waiter.queue() == null ? "" : waiter.queue(),
                            q -> find(waiter.queue(), taskId));
                }
                catch (AmbiguousTaskIdException | UnreadableRecordException ex) {
                    waiter.future().completeExceptionally(ex); // reading again would not tell more
                    continue;
                }
                catch (RuntimeException ex) {
                    log.debug("Could not read the record of task {}; will poll again", taskId, ex);
                    return;
                }
                if (info.state().isFinished()) {
                    CompletableFuture.runAsync(() -> waiter.future().complete(info));
                }
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

    /** A future waiting for a task, and the queue whose task it waits for (null: not found in any yet). */
    private record Waiter(@Nullable String queue, CompletableFuture<TaskInfo> future) {
    }

    /** The waiters of one task id, whatever their queue. */
    private static final class Waiters {

        private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

        void add(Waiter waiter) {
            waiters.add(waiter);
        }

        void remove(Waiter waiter) {
            waiters.remove(waiter);
        }

        boolean isEmpty() {
            return waiters.isEmpty();
        }

        List<Waiter> all() {
            return waiters;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        RedisSubscriptions.Subscription current = subscription;
        if (current != null) {
            current.close();
        }
        waiting.values().forEach(w -> w.all().forEach(waiter -> waiter.future().cancel(false)));
    }

}
