package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.broker.Broker;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * Revocation, held in Redis so that it reaches tasks wherever they wait: queued (the claim script hands a revoked
 * task to its worker marked as revoked, which records it as REVOKED without running it), delayed or retrying
 * (removed from the delayed set at once), on a worker that is offline (it claims it later, marked the same way),
 * and running (announced on a channel, with its queue; the worker interrupts it if asked).
 *
 * <p>A caller-chosen id is unique per queue, so a revocation acts in one queue: the one named, else the one that
 * has the task. An id that no queue has (a task queued without a caller-chosen id has no record until it starts)
 * is only remembered in every queue's revoked set: no record is written where the task is not, and a task submitted
 * with that id later forgets it (the submit script) and runs. Every key a revocation writes is bounded: the revoked
 * set by age and by count, a record by its TTL.
 */
final class RedisRevocations {

    /** The most revocations a queue remembers; the oldest are forgotten first. */
    static final int MAX_PER_QUEUE = 50_000;

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisRecords records;
    private final long keepMillis;
    /** Queues where revocations may exist: seen by the last claim, or made here since. */
    private final Set<String> mayHave = ConcurrentHashMap.newKeySet();
    /** How many times queues were added to {@link #mayHave} other than by a claim; guarded by this. */
    private long noted;

    /**
     * @param keepMillis how long a revocation is remembered (a task submitted longer ago than that and still
     *        queued would run)
     */
    RedisRevocations(RedisConnections redis, RedisKeys keys, long keepMillis) {
        this.redis = redis;
        this.keys = keys;
        this.records = new RedisRecords(redis, keys);
        this.keepMillis = keepMillis;
    }

    /**
     * Where a revocation acts: in these queues; {@code found} when the task is known to be there (named by the
     * caller, or found), else only remembered (no queue had it).
     */
    record Where(List<String> queues, boolean found) {
    }

    /**
     * The queues to revoke a task in: the given one; else the one that has the task; else every queue, to be
     * remembered only.
     *
     * @throws AmbiguousTaskIdException without {@code queue}, when several queues have the task
     */
    Where where(@Nullable String queue, String taskId, Set<String> all) {
        if (queue != null) {
            return new Where(List.of(queue), true);
        }
        String holder = RedisRecords.onlyQueue(taskId, records.read(all, taskId));
        return holder != null ? new Where(List.of(holder), true) : new Where(List.copyOf(all), false);
    }

    /*
     * KEYS[1] {q}:revoked   KEYS[2] {q}:d   KEYS[3] {q}:dp   KEYS[4] {q}:t:<id>   KEYS[5] {q}:u:<unique key> (or -)
     * KEYS[6] {q}:s:r   KEYS[7] {q}:retrying
     * ARGV[1] task id   ARGV[2] reason   ARGV[3] keep ms   ARGV[4] notify channel prefix
     * ARGV[5] '1' when the delayed task is part of a workflow   ARGV[6] group
     * ARGV[7] '1' when the task is known to be in this queue, '0' when no queue had it   ARGV[8] most remembered
     * ARGV[9] '1' when a running task is to be interrupted
     * Returns 0 and changes nothing when the task's record says it finished (SUCCESS, FAILURE, or REVOKED
     * already; a revocation that asks to interrupt a task revoked before only marks that in the revoked set).
     * Otherwise remembers the revocation (forgetting those older than keep, and the oldest beyond the most
     * remembered) and returns 1; the revoked set's score is the time, plus a half when the revocation asks to
     * interrupt the task (a worker that missed the announcement reads it there: {@link #findRevoked}); then, unless
     * the task is unknown here (ARGV[7] '0', and neither a record with a state nor a delayed entry exists), removes it
     * from the delayed set, marks its record REVOKED and releases its uniqueness key. It leaves {q}:retrying with
     * {q}:d, so that the queue's retrying count is a ZCARD.
     * A delayed workflow step goes to the redelivery stream at once, flagged revoked: a worker takes it, records it
     * REVOKED without running it, and tells the rest of its workflow (what follows it is marked REVOKED, its error
     * links run).
     */
    private static final LuaScript REVOKE = new LuaScript("revoke", """
            local state = redis.call('HGET', KEYS[4], 'state')
            if state == 'SUCCESS' or state == 'FAILURE' then return 0 end
            local now = now_ms()
            local score = ARGV[9] == '1' and now + 0.5 or now
            if state == 'REVOKED' then
              -- revoked before, perhaps still running (without being interrupted): this one may ask to interrupt it
              if ARGV[9] == '1' then redis.call('ZADD', KEYS[1], 'XX', score, ARGV[1]) end
              return 0
            end
            local keep = tonumber(ARGV[3])
            redis.call('ZADD', KEYS[1], score, ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keep)
            redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[8]) - 1)
            redis.call('PEXPIRE', KEYS[1], keep)
            if ARGV[7] == '0' and not state and redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return 1 end
            local delayed = redis.call('ZREM', KEYS[2], ARGV[1])
            redis.call('ZREM', KEYS[7], ARGV[1])
            if delayed == 1 and ARGV[5] == '1' then
              add_ready(KEYS[6], ARGV[6], ARGV[1], string.sub(redis.call('HGET', KEYS[3], ARGV[1]), 2), '0', true)
            end
            redis.call('HDEL', KEYS[3], ARGV[1])
            redis.call('HSET', KEYS[4], 'state', 'REVOKED', 'finished', now, 'error.type',
              'dev.taskqueue.TaskRevokedException', 'error.message', ARGV[2])
            redis.call('PEXPIRE', KEYS[4], keep)
            notify_waiters(KEYS[4], ARGV[1], ARGV[4])
            if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
            return 1
            """, ScriptOutputType.INTEGER);

    /**
     * Revokes a task where {@code where} says, and tells every instance (a running task may be interrupted even
     * when it was revoked before).
     *
     * @param uniqueKeyOf reads the uniqueness key from a delayed task's message (null when it has none)
     * @return whether the revocation was recorded in any of the queues (false: the task had finished)
     */
    boolean revoke(Where where, String taskId, String reason, boolean interrupt,
            Function<byte[], @Nullable String> uniqueKeyOf, Predicate<byte[]> inWorkflow) {
        // Noted before (blocking reads check these queues from now on) and after: a claim sent in between may have
        // read the revoked set before this revocation was in it
        note(where.queues());
        boolean recorded = false;
        try {
            recorded = revokeIn(where, taskId, reason, interrupt, uniqueKeyOf, inWorkflow);
        }
        finally {
            note(where.queues());
        }
        // "<task id> <0|1 interrupt> <queue>", the queue left out when no queue had the task
        String announcement = taskId + " " + (interrupt ? 1 : 0) + (where.found() ? " " + where.queues().get(0) : "");
        redis.await(redis.commands().publish(bytes(keys.revokeChannel()), bytes(announcement)),
                "announce the revocation of task " + taskId);
        return recorded;
    }

    /** The revocation script in each queue of {@code where}: whether any recorded it. */
    private boolean revokeIn(Where where, String taskId, String reason, boolean interrupt,
            Function<byte[], @Nullable String> uniqueKeyOf, Predicate<byte[]> inWorkflow) {
        boolean recorded = false;
        for (String queue : where.queues()) {
            byte[] delayed = redis.await(redis.commands().hget(keys.delayedPayloads(queue), bytes(taskId)),
                    "read a delayed task");
            byte[] body = delayed == null || delayed.length < 2 ? null : Arrays.copyOfRange(delayed, 1, delayed.length);
            String uniqueKey = body == null ? null : uniqueKeyOf.apply(body);
            Long reply = redis.await(REVOKE.run(redis.commands(), new byte[][] { keys.revoked(queue),
                    keys.delayed(queue), keys.delayedPayloads(queue), keys.record(queue, taskId),
                    keys.unique(queue, uniqueKey), keys.stream(queue, RedisKeys.REDELIVERY),
                    keys.retrying(queue) }, bytes(taskId), bytes(reason),
                    bytes(Long.toString(keepMillis)), bytes(keys.notifyChannelPrefix()),
                    bytes(body != null && inWorkflow.test(body) ? "1" : "0"), bytes(RedisKeys.GROUP),
                    bytes(where.found() ? "1" : "0"), bytes(Integer.toString(MAX_PER_QUEUE)),
                    bytes(interrupt ? "1" : "0")),
                    "revoke task " + taskId);
            recorded |= reply == 1L;
        }
        return recorded;
    }

    /**
     * Whether the queue may hold revoked tasks (the last claim found revocations there, or one was made here or
     * announced since):
     * a blocking read, which has no claim script to flag revoked tasks, checks its tasks only in such queues.
     */
    boolean mayHave(String queue) {
        return mayHave.contains(queue);
    }

    /** A revocation made or heard here: blocking reads check these queues until a claim finds none there. */
    private synchronized void note(Collection<String> queues) {
        noted++;
        mayHave.addAll(queues);
    }

    /** What {@link #claimed} is given: read before the claim script is sent. */
    synchronized long noted() {
        return noted;
    }

    /**
     * Takes what a claim found: which of its queues hold revocations. A revocation noted since the claim was sent
     * ({@code notedBefore} is {@link #noted()} then) may be newer than what the script read, and is kept.
     */
    synchronized void claimed(Collection<String> queues, Collection<String> withRevocations, long notedBefore) {
        if (noted == notedBefore) {
            mayHave.removeAll(queues);
        }
        mayHave.addAll(withRevocations);
    }

    /**
     * Tells {@code listener} of the tasks among {@code running} that are revoked, each with whether to interrupt it:
     * what a worker reads when it may have missed announcements (its notification connection down or replaced).
     * One {@code ZMSCORE} per queue, pipelined.
     *
     * @param running queue to the ids of tasks running from it
     */
    void findRevoked(Map<String, List<String>> running, Broker.RevocationListener listener) {
        Map<String, CompletableFuture<List<Double>>> scores = new LinkedHashMap<>();
        running.forEach((queue, ids) -> scores.put(queue, redis.commands().zmscore(keys.revoked(queue),
                ids.stream().map(RedisBroker::bytes).toArray(byte[][]::new)).toCompletableFuture()));
        scores.forEach((queue, reply) -> {
            List<Double> found = redis.await(reply, "read the revocations of queue " + queue);
            List<String> ids = running.get(queue);
            for (int i = 0; i < ids.size(); i++) {
                Double score = found.get(i);
                if (score != null) {
                    listener.revoked(queue, ids.get(i), score != Math.floor(score)); // + 0.5: interrupt it
                }
            }
        });
    }

    /** Calls {@code listener} with each task revoked from now on. */
    AutoCloseable onRevoked(Broker.RevocationListener listener) {
        return redis.subscriptions().subscribe(keys.revokeChannel(), message -> {
            String[] parts = string(message).split(" ");
            if (parts.length > 2) {
                note(List.of(parts[2])); // revoked by another instance: blocking reads check that queue from now on
            }
            listener.revoked(parts.length > 2 ? parts[2] : null, parts[0], parts.length > 1 && parts[1].equals("1"));
        });
    }
}
