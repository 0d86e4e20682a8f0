package dev.taskqueue.celery;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Celery task message (protocol 2) as a consumer reads it from a kombu envelope.
 *
 * @param envelope the envelope as stored (the {@code unacked} hash and a restore keep it as it is)
 * @param headers the message's headers, every one of them (unknown ones are kept, not read)
 * @param id the task id ({@code headers.id})
 * @param task the task name ({@code headers.task})
 * @param args the positional arguments
 * @param kwargs the keyword arguments
 * @param embed callbacks, errbacks, chain and chord ({@code {}} when the sender gave none)
 * @param eta do not run before, or null
 * @param expires do not run after, or null
 * @param retries how many times it was retried
 * @param softTimeLimit seconds, or null ({@code headers.timelimit[1]})
 * @param hardTimeLimit seconds, or null ({@code headers.timelimit[0]}: the hard limit comes first on the wire)
 * @param priority Celery's priority (on Redis 0 is served first)
 * @param queue the queue it was delivered from
 * @param deliveryTag the transport's tag, the key in {@code unacked}
 */
record CeleryMessage(String envelope, ObjectNode headers, String id, String task, ArrayNode args, ObjectNode kwargs,
        ObjectNode embed, @Nullable Instant eta, @Nullable Instant expires, int retries, @Nullable Double softTimeLimit,
        @Nullable Double hardTimeLimit, int priority, String queue, String deliveryTag) {

    @Nullable String rootId() {
        return text(headers.get("root_id"));
    }

    @Nullable String parentId() {
        return text(headers.get("parent_id"));
    }

    @Nullable String groupId() {
        return text(headers.get("group"));
    }

    /** The position in its group, or null (a chord's part then scores {@code +inf}). */
    @Nullable Integer groupIndex() {
        JsonNode index = headers.get("group_index");
        return index != null && index.isIntegralNumber() ? index.asInt() : null;
    }

    boolean ignoreResult() {
        JsonNode ignore = headers.get("ignore_result");
        return ignore != null && ignore.asBoolean(false);
    }

    /** The name monitors show: the {@code shadow} header when the sender gave one. */
    String displayName() {
        String shadow = text(headers.get("shadow"));
        return shadow != null ? shadow : task;
    }

    static @Nullable String text(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }
}
