package dev.taskqueue.celery;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Celery task message to send, as every Celery version from 5.2 on reads it: protocol 2 headers with explicit nulls,
 * a body of {@code [args, kwargs, embed]} in base64 (never {@code utf-8}: that kills kombu 5.2 workers), times as UTC
 * ISO-8601 with {@code +00:00}, and kombu's properties with a fresh delivery tag.
 */
final class CeleryOutgoing {

    final String id;
    final String task;
    final String queue;
    ArrayNode args = CeleryJson.MAPPER.createArrayNode();
    ObjectNode kwargs = CeleryJson.MAPPER.createObjectNode();
    ObjectNode embed = emptyEmbed();
    @Nullable Instant eta;
    @Nullable Instant expires;
    int priority;
    int retries;
    @Nullable Double softTimeLimit;
    @Nullable Double hardTimeLimit;
    @Nullable String rootId;
    @Nullable String parentId;
    @Nullable String groupId;
    @Nullable Integer groupIndex;
    @Nullable String shadow;
    boolean ignoreResult;
    /** The sender's own headers (Celery merges {@code apply_async(headers=...)} into the same object). */
    ObjectNode extraHeaders = CeleryJson.MAPPER.createObjectNode();

    CeleryOutgoing(String id, String task, String queue) {
        this.id = id;
        this.task = task;
        this.queue = queue;
    }

    static ObjectNode emptyEmbed() {
        ObjectNode embed = CeleryJson.MAPPER.createObjectNode();
        embed.putNull("callbacks");
        embed.putNull("errbacks");
        embed.putNull("chain");
        embed.putNull("chord");
        return embed;
    }

    /** The list it goes to. */
    String listKey() {
        return CeleryKeys.queueKey(queue, priority);
    }

    /** The kombu envelope, as the list stores it. */
    String envelope(String origin) {
        ObjectNode headers = CeleryJson.MAPPER.createObjectNode();
        headers.put("lang", CeleryProtocol.LANG);
        headers.put("task", task);
        headers.put("id", id);
        headers.put("shadow", shadow);
        headers.put("eta", eta == null ? null : CeleryJson.iso(eta));
        headers.put("expires", expires == null ? null : CeleryJson.iso(expires));
        headers.put("group", groupId);
        if (groupIndex == null) {
            headers.putNull("group_index");
        }
        else {
            headers.put("group_index", groupIndex.intValue());
        }
        headers.put("retries", retries);
        ArrayNode timeLimit = headers.putArray("timelimit");
        add(timeLimit, hardTimeLimit);
        add(timeLimit, softTimeLimit);
        headers.put("root_id", rootId != null ? rootId : id);
        headers.put("parent_id", parentId);
        headers.put("argsrepr", repr(args));
        headers.put("kwargsrepr", repr(kwargs));
        headers.put("origin", origin);
        headers.put("ignore_result", ignoreResult);
        for (Map.Entry<String, JsonNode> header : extraHeaders.properties()) {
            headers.set(header.getKey(), header.getValue());
        }
        ArrayNode body = CeleryJson.MAPPER.createArrayNode().add(args).add(kwargs).add(embed);
        ObjectNode properties = CeleryJson.MAPPER.createObjectNode();
        properties.put("correlation_id", id);
        properties.put("reply_to", "");
        properties.put("delivery_mode", 2);
        properties.putObject("delivery_info").put("exchange", "").put("routing_key", queue);
        properties.put("priority", priority);
        return CeleryEnvelopes.write(body, headers, properties);
    }

    private static void add(ArrayNode array, @Nullable Double seconds) {
        if (seconds == null) {
            array.addNull();
        }
        else if (seconds == Math.rint(seconds)) {
            array.add(seconds.longValue());
        }
        else {
            array.add(seconds.doubleValue());
        }
    }

    /** What monitors show of the arguments (Python's repr is close to JSON for plain values), cut as Celery cuts it. */
    private static String repr(JsonNode value) {
        String text = value.toString();
        return text.length() > 1024 ? text.substring(0, 1021) + "..." : text;
    }
}
