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
     * Returns { the record as a flat field/value list, 1 if the task waits in the delayed set else 0 }.
     */
    private static final LuaScript READ = new LuaScript("read-record", """
            return { redis.call('HGETALL', KEYS[1]), redis.call('HEXISTS', KEYS[2], ARGV[1]) }
            """, ScriptOutputType.MULTI);

    /** The task as each of these queues that has it records it, by queue, in their order. One round trip. */
    Map<String, TaskInfo> read(Collection<String> queues, String taskId) {
        List<String> order = new ArrayList<>(queues);
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String q : order) {
            replies.add(READ.run(redis.commands(), new byte[][] { keys.record(q, taskId), keys.delayedPayloads(q) },
                    bytes(taskId)));
        }
        Map<String, TaskInfo> found = new LinkedHashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            List<Object> reply = redis.await(replies.get(i), "read the record of task " + taskId);
            TaskInfo info = toInfo(taskId, order.get(i), (List<?>) reply.get(0), (Long) reply.get(1) == 1L);
            if (info != null) {
                found.put(order.get(i), info);
            }
        }
        return found;
    }

    /**
     * The one queue of {@code found}, or null when it is empty.
     *
     * @throws AmbiguousTaskIdException when several queues have the task
     */
    static @Nullable String onlyQueue(String taskId, Map<String, TaskInfo> found) {
        if (found.size() > 1) {
            throw new AmbiguousTaskIdException(taskId, found.keySet());
        }
        return found.isEmpty() ? null : found.keySet().iterator().next();
    }

    private static @Nullable TaskInfo toInfo(String id, String queue, List<?> flat, boolean delayed) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(string(flat.get(i)), string(flat.get(i + 1)));
        }
        return TaskRecords.toInfo(id, queue, fields, delayed);
    }
}
