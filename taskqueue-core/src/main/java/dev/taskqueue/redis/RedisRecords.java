package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.TaskRecords;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * Reads task records, and finds the queues that have a task: those where its record holds a state, or where it
 * waits in the delayed set. A task queued without a caller-chosen id has neither until it starts. A caller-chosen
 * id is unique per queue, so several queues may have one: handles and revocations that name no queue use
 * {@link #onlyQueue} to refuse such an id rather than pick one.
 */
final class RedisRecords {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisRecords(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /*
     * KEYS[1] {q}:t:<id>   KEYS[2] {q}:dp   ARGV[1] task id
     * Returns { the record as a flat field/value list (the key's type instead, when it is not a hash: something
     * else wrote it), 1 if the task waits in the delayed set else 0 }.
     */
    private static final LuaScript READ = new LuaScript("read-record", """
            local kind = redis.call('TYPE', KEYS[1]).ok
            local record = (kind == 'hash' or kind == 'none') and redis.call('HGETALL', KEYS[1]) or kind
            return { record, redis.call('HEXISTS', KEYS[2], ARGV[1]) }
            """, ScriptOutputType.MULTI);

    /**
     * The task as each of these queues that has it stores it, by queue, in their order. One round trip. A queue
     * has it when its record there holds a state, readable or not, or when it waits in its delayed set.
     */
    Map<String, Stored> read(Collection<String> queues, String taskId) {
        List<String> order = new ArrayList<>(queues);
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String q : order) {
            replies.add(READ.run(redis.commands(), new byte[][] { keys.record(q, taskId), keys.delayedPayloads(q) },
                    bytes(taskId)));
        }
        Map<String, Stored> found = new LinkedHashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            List<Object> reply = redis.await(replies.get(i), "read the record of task " + taskId);
            Stored stored = Stored.of(taskId, order.get(i), reply.get(0), (Long) reply.get(1) == 1L);
            if (stored.exists()) {
                found.put(order.get(i), stored);
            }
        }
        return found;
    }

    /**
     * A task's record as read from one queue; read as a {@link TaskInfo} only when asked, so that a record that
     * cannot be read still tells where the task is (a revocation then overwrites it).
     *
     * @param fields the record's fields, or null when its key is not a hash
     * @param keyType the type of its key
     */
    record Stored(String taskId, String queue, @Nullable Map<String, String> fields, String keyType,
            boolean delayed) {

        /** @param record the record as a flat field/value list, or the type of its key when it is not a hash */
        static Stored of(String taskId, String queue, Object record, boolean delayed) {
            if (!(record instanceof List<?> flat)) {
                return new Stored(taskId, queue, null, string(record), delayed);
            }
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                fields.put(string(flat.get(i)), string(flat.get(i + 1)));
            }
            return new Stored(taskId, queue, fields, "hash", delayed);
        }

        boolean exists() {
            return delayed || fields == null || fields.containsKey("state");
        }

        /**
         * The record as a {@link TaskInfo}.
         *
         * @throws UnreadableRecordException when it holds what taskqueue does not write
         */
        TaskInfo info() {
            if (fields == null) {
                throw UnreadableRecordException.ofTask(null, taskId, queue, "its key holds a " + keyType
                        + ", not a hash");
            }
            TaskInfo info = TaskRecords.toInfo(taskId, queue, fields, delayed);
            return info != null ? info : TaskInfo.pending(taskId, queue);
        }
    }

    /**
     * The one queue of {@code found}, or null when it is empty.
     *
     * @throws AmbiguousTaskIdException when several queues have the task
     */
    static @Nullable String onlyQueue(String taskId, Map<String, ?> found) {
        if (found.size() > 1) {
            throw new AmbiguousTaskIdException(taskId, found.keySet());
        }
        return found.isEmpty() ? null : found.keySet().iterator().next();
    }
}
