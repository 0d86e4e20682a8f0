package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.TaskRecords;
import dev.taskqueue.internal.ContextJson;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.workflow.WorkflowSuccessors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Builds the rows of {@link RedisQueueBrowser} from what Redis holds of a task: its message as stored in a stream or
 * the delayed set, and its record. Both may be missing or unreadable (anyone can write into these keys): what cannot
 * be read is left null, and the row is shown all the same.
 */
final class BrowsedRows {

    /**
     * The record fields a row shows, read with {@code HMGET} (never the result, which may be large): in this order in
     * the scripts' replies.
     */
    static final List<String> RECORD_FIELDS = List.of("state", "task", "worker", "submitted", "started", "finished",
            "attempt", "next", "error.type", "error.message", "args", "dead", "parent", "ctx");

    private BrowsedRows() {
    }

    /** What a stored message says of its task; null fields for what it does not say. */
    record Message(@Nullable String name, @Nullable String argumentsJson, @Nullable Instant createdAt, int attempt,
            BrowsedTask.Context context) {

        static final Message NONE = new Message(null, null, null, 0, BrowsedTask.Context.NONE);

        /** Reads a message body; one that is not a message (or was cut to its first bytes) reads as {@link #NONE}. */
        static Message of(byte @Nullable [] body) {
            if (body == null || body.length == 0) {
                return NONE;
            }
            JsonNode root;
            try {
                root = RunningJson.JSON.readTree(body);
            }
            catch (JacksonException ex) {
                return NONE;
            }
            if (root == null || !root.isObject()) {
                return NONE;
            }
            JsonNode args = root.get("args");
            JsonNode created = root.get("created");
            JsonNode attempt = root.get("attempt");
            return new Message(ContextJson.text(root.get("task")), args != null && args.isArray() ? args.toString()
                    : null, created != null && created.canConvertToLong() && created.asLong() > 0
                            ? Instant.ofEpochMilli(created.asLong()) : null,
                    attempt != null && attempt.canConvertToInt() ? Math.max(0, attempt.asInt()) : 0,
                    new BrowsedTask.Context(ContextJson.headers(root.get("headers")),
                            ContextJson.text(root.get("parent")), ContextJson.text(root.get("root")),
                            successors(root)));
        }

        /** The first tasks of the steps after this one, wherever the message keeps its workflow. */
        private static List<String> successors(JsonNode root) {
            try {
                return WorkflowSuccessors.of(MessageCodec.workflow(root));
            }
            catch (MessageCodec.CorruptMessageException ex) {
                return List.of(); // a workflow that is not one: no children to show
            }
        }
    }

    /** A record read as {@link #RECORD_FIELDS}, in order (nil or empty values absent); null when it holds none. */
    static @Nullable Map<String, String> recordFields(@Nullable Object reply) {
        if (!(reply instanceof List<?> values)) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < values.size() && i < RECORD_FIELDS.size(); i++) {
            Object value = values.get(i);
            if (value != null && !string(value).isEmpty()) {
                fields.put(RECORD_FIELDS.get(i), string(value));
            }
        }
        return fields.isEmpty() ? null : fields;
    }

    /**
     * A task's record as a row shows it.
     *
     * @param info what it says of the task
     * @param deadLetterId the id of its dead letter, while it has one
     */
    record Record(TaskInfo info, @Nullable String deadLetterId, BrowsedTask.Context context) {
    }

    /** The record; null when it has no state or one taskqueue does not write. */
    static @Nullable Record info(String taskId, String queue, @Nullable Map<String, String> fields,
            boolean delayed) {
        if (fields == null) {
            return null;
        }
        try {
            TaskInfo info = TaskRecords.toInfo(taskId, queue, fields, delayed);
            return info == null ? null : new Record(info, fields.get("dead"),
                    ContextJson.read(fields.get("ctx"), fields.get("parent")));
        }
        catch (UnreadableRecordException ex) {
            return null;
        }
    }

    /**
     * A row from the message and the record, the record winning where both tell.
     *
     * @param state the state the listing knows (the record's when null)
     * @param worker the worker the listing knows (a stream's consumer), or null
     */
    static BrowsedTask row(String taskId, String queue, @Nullable String state, Message message,
            @Nullable Record stored, @Nullable Instant dueAt, @Nullable String worker) {
        String shownState = state != null ? state : stored != null ? stored.info().state().name() : "PENDING";
        if (stored == null) {
            return new BrowsedTask(taskId, queue, message.name(), shownState, message.createdAt(), dueAt, null, null,
                    message.attempt(), worker, null, message.argumentsJson(), null, message.context());
        }
        TaskInfo record = stored.info();
        TaskError error = record.error();
        return new BrowsedTask(taskId, queue, record.name() != null ? record.name() : message.name(), shownState,
                record.submittedAt() != null ? record.submittedAt() : message.createdAt(),
                dueAt != null ? dueAt : record.nextRunAt(), record.startedAt(), record.finishedAt(),
                record.attempt() > 0 ? record.attempt() : message.attempt(),
                worker != null ? worker : record.worker(), error,
                message.argumentsJson() != null ? message.argumentsJson() : record.argumentsJson(),
                stored.deadLetterId(), message != Message.NONE ? message.context() : stored.context());
    }

    /** The records of these tasks ({@link #RECORD_FIELDS}), all sent before any reply is awaited. */
    static List<CompletableFuture<List<Object>>> readRecords(RedisConnections redis, RedisKeys keys, String queue,
            List<String> taskIds) {
        byte[][] fields = RECORD_FIELDS.stream().map(RedisBroker::bytes).toArray(byte[][]::new);
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        for (String taskId : taskIds) {
            replies.add(redis.commands().hmget(keys.record(queue, taskId.isEmpty() ? "-" : taskId), fields)
                    .thenApply(values -> values.stream().map(v -> (Object) v.getValueOrElse(null)).toList())
                    .toCompletableFuture());
        }
        return replies;
    }

    /** A record read by {@link #readRecords}, as {@link #info} reads it; null also when its key is not a hash. */
    static @Nullable Record awaitRecord(RedisConnections redis, String queue, String taskId,
            CompletableFuture<List<Object>> reply, boolean delayed) {
        List<Object> values;
        try {
            values = redis.await(reply, "read the record of task " + taskId);
        }
        catch (BrokerUnavailableException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            return null; // not a hash: another writer's key
        }
        return info(taskId, queue, recordFields(values), delayed);
    }

    /** A stream entry id's time. */
    static @Nullable Instant entryTime(String entryId) {
        int dash = entryId.indexOf('-');
        long millis = RedisValues.number(dash < 0 ? entryId : entryId.substring(0, dash), -1);
        return millis < 0 ? null : Instant.ofEpochMilli(millis);
    }
}
