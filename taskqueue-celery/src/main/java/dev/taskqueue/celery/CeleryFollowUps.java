package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The messages that follow a Celery task's end, as a Python worker sends them, from the signatures in its message's
 * {@code embed}:
 * <ul>
 * <li>on success, each {@code callbacks} signature with the result put in front of its arguments (unless it is
 * immutable), and the next step of {@code chain} (its last element) carrying the rest of the chain;</li>
 * <li>on failure, each {@code errbacks} signature with the failed task's id as its argument;</li>
 * <li>a chord's body once its header completes ({@link #chordBody}).</li>
 * </ul>
 * Each follow-up has the ended task as its parent and keeps its root. A signature's {@code options} give its task id,
 * queue (else the routes, else {@code celery}), priority, countdown, eta, expires, links and group.
 */
final class CeleryFollowUps {

    private final CeleryRoutes routes;
    private final String defaultQueue;
    private final Clock clock;

    CeleryFollowUps(CeleryRoutes routes, String defaultQueue, Clock clock) {
        this.routes = routes;
        this.defaultQueue = defaultQueue;
        this.clock = clock;
    }

    /** What follows a success: its callbacks, then its chain's next step. */
    List<CeleryOutgoing> afterSuccess(CeleryMessage message, @Nullable JsonNode result) {
        List<CeleryOutgoing> next = new ArrayList<>();
        ArrayNode prepend = CeleryJson.MAPPER.createArrayNode();
        prepend.add(result == null ? CeleryJson.MAPPER.nullNode() : result);
        for (JsonNode callback : signatures(message.embed().get("callbacks"))) {
            next.add(apply(callback, prepend, message));
        }
        JsonNode chain = message.embed().get("chain");
        if (chain != null && chain.isArray() && !chain.isEmpty()) {
            CeleryOutgoing step = apply(chain.get(chain.size() - 1), prepend, message);
            if (chain.size() > 1) {
                ArrayNode rest = CeleryJson.MAPPER.createArrayNode();
                for (int i = 0; i < chain.size() - 1; i++) {
                    rest.add(chain.get(i));
                }
                step.embed.set("chain", rest);
            }
            next.add(step);
        }
        return next;
    }

    /** What follows a failure: its errbacks, each sent with the failed task's id. */
    List<CeleryOutgoing> afterFailure(CeleryMessage message) {
        List<CeleryOutgoing> next = new ArrayList<>();
        ArrayNode failedId = CeleryJson.MAPPER.createArrayNode().add(message.id());
        for (JsonNode errback : signatures(message.embed().get("errbacks"))) {
            next.add(apply(errback, failedId, message));
        }
        return next;
    }

    /** A chord's body, with the header's results in order as its first argument. */
    CeleryOutgoing chordBody(JsonNode body, ArrayNode results, CeleryMessage lastPart) {
        return apply(body, CeleryJson.MAPPER.createArrayNode().add(results), lastPart);
    }

    /** The errbacks of a chord's body, sent when its header failed. */
    List<CeleryOutgoing> bodyErrbacks(JsonNode body, String bodyId, CeleryMessage lastPart) {
        List<CeleryOutgoing> next = new ArrayList<>();
        ArrayNode failedId = CeleryJson.MAPPER.createArrayNode().add(bodyId);
        for (JsonNode errback : signatures(body.path("options").get("link_error"))) {
            next.add(apply(errback, failedId, lastPart));
        }
        return next;
    }

    /** The task id a signature's options fix, or null. */
    static @Nullable String taskIdOf(JsonNode signature) {
        return CeleryMessage.text(signature.path("options").get("task_id"));
    }

    /** A signature applied as Python's {@code sig.apply_async(args, parent_id=..., root_id=...)} applies it. */
    CeleryOutgoing apply(JsonNode signature, ArrayNode prepend, CeleryMessage parent) {
        JsonNode options = signature.path("options");
        String task = signature.path("task").asString();
        String id = taskIdOf(signature);
        String queue = CeleryMessage.text(options.get("queue"));
        if (queue == null) {
            String routed = routes.queueOf(task, null, null);
            queue = routed != null ? routed : defaultQueue;
        }
        CeleryOutgoing message = new CeleryOutgoing(id != null ? id : UUID.randomUUID().toString(), task, queue);
        if (!signature.path("immutable").asBoolean(false)) {
            message.args.addAll(prepend);
        }
        if (signature.path("args").isArray()) {
            message.args.addAll((ArrayNode) signature.get("args"));
        }
        if (signature.path("kwargs").isObject()) {
            message.kwargs.setAll((ObjectNode) signature.get("kwargs"));
        }
        Instant now = clock.instant();
        if (options.path("countdown").isNumber()) {
            message.eta = now.plusMillis(Math.round(options.get("countdown").asDouble() * 1000));
        }
        else if (options.hasNonNull("eta")) {
            message.eta = CeleryJson.instant(options.get("eta"), "eta");
        }
        if (options.path("expires").isNumber()) {
            message.expires = now.plusMillis(Math.round(options.get("expires").asDouble() * 1000));
        }
        else if (options.hasNonNull("expires")) {
            message.expires = CeleryJson.instant(options.get("expires"), "expires");
        }
        message.priority = options.path("priority").asInt(0);
        message.parentId = parent.id();
        message.rootId = parent.rootId() != null ? parent.rootId() : parent.id();
        message.groupId = CeleryMessage.text(options.get("group_id"));
        if (options.path("group_index").isIntegralNumber()) {
            message.groupIndex = options.get("group_index").asInt();
        }
        if (options.path("link").isArray()) {
            message.embed.set("callbacks", options.get("link"));
        }
        if (options.path("link_error").isArray()) {
            message.embed.set("errbacks", options.get("link_error"));
        }
        if (options.path("chord").isObject()) {
            message.embed.set("chord", options.get("chord"));
        }
        return message;
    }

    private static List<JsonNode> signatures(@Nullable JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(list::add);
        }
        else if (node != null && node.isObject()) {
            list.add(node);
        }
        return list;
    }
}
