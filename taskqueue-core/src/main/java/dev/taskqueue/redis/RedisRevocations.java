package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * Revocation, held in Redis so that it reaches tasks wherever they wait: queued (the claim script hands a revoked
 * task to its worker marked as revoked, which records it as REVOKED without running it), delayed or retrying
 * (removed from the delayed set at once), on a worker that is offline (it claims it later, marked the same way),
 * and running (announced on a channel; the worker interrupts it if asked).
 */
final class RedisRevocations {

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final long keepMillis;

    /**
     * @param keepMillis how long a revocation is remembered (a task submitted longer ago than that and still
     *        queued would run)
     */
    RedisRevocations(RedisConnections redis, RedisKeys keys, long keepMillis) {
        this.redis = redis;
        this.keys = keys;
        this.keepMillis = keepMillis;
    }

    /*
     * KEYS[1] {q}:revoked   KEYS[2] {q}:d   KEYS[3] {q}:dp   KEYS[4] {q}:t:<id>   KEYS[5] {q}:u:<unique key> (or -)
     * KEYS[6] {q}:s:r
     * ARGV[1] task id   ARGV[2] reason   ARGV[3] keep ms   ARGV[4] notify channel prefix   ARGV[5] queue name
     * ARGV[6] '1' when the delayed task is part of a workflow   ARGV[7] group
     * Returns 0 and changes nothing when the task's record says it finished (SUCCESS, FAILURE, or REVOKED
     * already). Otherwise remembers the revocation (trimming those older than keep), removes the task from the
     * delayed set, marks its record REVOKED, releases its uniqueness key, and returns 1.
     * A delayed workflow step goes to the redelivery stream at once, flagged revoked: a worker takes it, records it
     * REVOKED without running it, and tells the rest of its workflow (what follows it is marked REVOKED, its error
     * links run).
     */
    private static final LuaScript REVOKE = new LuaScript("revoke", """
            local state = redis.call('HGET', KEYS[4], 'state')
            if state == 'SUCCESS' or state == 'FAILURE' or state == 'REVOKED' then return 0 end
            local now = now_ms()
            local keep = tonumber(ARGV[3])
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keep)
            redis.call('PEXPIRE', KEYS[1], keep)
            local delayed = redis.call('ZREM', KEYS[2], ARGV[1])
            if delayed == 1 and ARGV[6] == '1' then
              add_ready(KEYS[6], ARGV[7], ARGV[1], string.sub(redis.call('HGET', KEYS[3], ARGV[1]), 2), '0', true)
            end
            redis.call('HDEL', KEYS[3], ARGV[1])
            redis.call('HSET', KEYS[4], 'state', 'REVOKED', 'finished', now, 'queue', ARGV[5],
              'error.type', 'dev.taskqueue.TaskRevokedException', 'error.message', ARGV[2])
            redis.call('PEXPIRE', KEYS[4], keep)
            notify_waiters(KEYS[4], ARGV[1], ARGV[4])
            if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
            return 1
            """, ScriptOutputType.INTEGER);

    /**
     * Revokes a task in these queues, and tells every instance (a running task may be interrupted even when it was
     * revoked before).
     *
     * @param uniqueKeyOf reads the uniqueness key from a delayed task's message (null when it has none)
     * @return whether the revocation was recorded in any of them (false: the task had finished)
     */
    boolean revoke(List<String> queues, String taskId, String reason, boolean interrupt,
            Function<byte[], @Nullable String> uniqueKeyOf, java.util.function.Predicate<byte[]> inWorkflow) {
        boolean recorded = false;
        for (String queue : queues) {
            byte[] delayed = redis.await(redis.commands().hget(keys.delayedPayloads(queue), bytes(taskId)),
                    "read a delayed task");
            byte[] body = delayed == null || delayed.length < 2 ? null
                    : java.util.Arrays.copyOfRange(delayed, 1, delayed.length);
            String uniqueKey = body == null ? null : uniqueKeyOf.apply(body);
            Long reply = redis.await(REVOKE.run(redis.commands(), new byte[][] { keys.revoked(queue),
                    keys.delayed(queue), keys.delayedPayloads(queue), keys.record(queue, taskId),
                    keys.unique(queue, uniqueKey), keys.stream(queue, RedisKeys.REDELIVERY) }, bytes(taskId), bytes(reason),
                    bytes(Long.toString(keepMillis)), bytes(keys.notifyChannelPrefix()), bytes(queue),
                    bytes(body != null && inWorkflow.test(body) ? "1" : "0"), bytes(RedisKeys.GROUP)),
                    "revoke task " + taskId);
            recorded |= reply == 1L;
        }
        redis.await(redis.commands().publish(bytes(keys.revokeChannel()), bytes(taskId + " " + (interrupt ? 1 : 0))),
                "announce the revocation of task " + taskId);
        return recorded;
    }

    /** Calls {@code listener} with each task revoked from now on, and whether to interrupt it if it runs. */
    AutoCloseable onRevoked(BiConsumer<String, Boolean> listener) {
        return redis.subscriptions().subscribe(keys.revokeChannel(), message -> {
            String[] parts = string(message).split(" ");
            listener.accept(parts[0], parts.length > 1 && parts[1].equals("1"));
        });
    }

    /**
     * The queues to revoke a task in: the given one; else those holding a record of it (a finished task must not
     * get a REVOKED record in every other queue); else every queue, as a task queued without a caller-chosen id
     * has no record yet and may wait in any of them.
     */
    List<String> queuesFor(@Nullable String queue, String taskId, Set<String> all) {
        if (queue != null) {
            return List.of(queue);
        }
        List<String> queues = new ArrayList<>(all);
        List<CompletionStage<Long>> exists = new ArrayList<>();
        for (String q : queues) {
            exists.add(redis.commands().exists(keys.record(q, taskId)));
        }
        List<String> holding = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
            if (redis.await(exists.get(i), "look for the record of task " + taskId) == 1L) {
                holding.add(queues.get(i));
            }
        }
        return holding.isEmpty() ? queues : holding;
    }
}
