package dev.taskqueue.internal;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.Unique;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A call's {@link TaskOptions} as JSON, for the steps of a workflow that are submitted later, by a worker: they
 * keep their queue, priority, countdown, expiry, headers and policies. Relative times (countdown, expires-in)
 * stay relative: they count from the moment the step is submitted, as in Celery. The task id is not written
 * (each step's id travels beside its options).
 */
public final class OptionsJson {

    private OptionsJson() {
    }

    public static JsonNode write(ObjectMapper mapper, TaskOptions options) {
        ObjectNode json = mapper.createObjectNode();
        if (options.getQueue() != null) {
            json.put("queue", options.getQueue());
        }
        if (options.getPriority() != null) {
            json.put("priority", options.getPriority());
        }
        putMillis(json, "countdown", options.getCountdown());
        if (options.getEta() != null) {
            json.put("eta", options.getEta().toEpochMilli());
        }
        putMillis(json, "expiresIn", options.getExpiresIn());
        if (options.getExpiresAt() != null) {
            json.put("expiresAt", options.getExpiresAt().toEpochMilli());
        }
        if (!options.getHeaders().isEmpty()) {
            ObjectNode headers = json.putObject("headers");
            options.getHeaders().forEach(headers::put);
        }
        TaskPolicies policies = options.getPolicies();
        if (!policies.equals(TaskPolicies.NONE)) {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = mapper.createGenerator(out)) {
                g.writeStartObject();
                MessageCodec.writePolicies(g, policies); // the message's own format, so one reader serves both
                g.writeEndObject();
            }
            mapper.readTree(out.toString()).properties().forEach(e -> json.set(e.getKey(), e.getValue()));
            TaskPolicies.Uniqueness unique = policies.unique();
            if (unique != null) {
                ObjectNode u = json.putObject("unique");
                u.put("key", unique.key());
                u.put("mode", unique.mode().name());
                putMillis(u, "window", unique.window());
            }
        }
        return json;
    }

    private static void putMillis(ObjectNode json, String name, @Nullable Duration value) {
        if (value != null) {
            json.put(name, value.toMillis());
        }
    }

    public static TaskOptions read(JsonNode json) {
        TaskOptions options = TaskOptions.defaults();
        if (json == null || !json.isObject()) {
            return options;
        }
        if (json.has("queue")) {
            options = options.queue(json.get("queue").asString());
        }
        if (json.has("priority")) {
            options = options.priority(json.get("priority").asInt());
        }
        if (json.has("countdown")) {
            options = options.countdown(Duration.ofMillis(json.get("countdown").asLong()));
        }
        if (json.has("eta")) {
            options = options.eta(Instant.ofEpochMilli(json.get("eta").asLong()));
        }
        if (json.has("expiresIn")) {
            options = options.expiresIn(Duration.ofMillis(json.get("expiresIn").asLong()));
        }
        if (json.has("expiresAt")) {
            options = options.expiresAt(Instant.ofEpochMilli(json.get("expiresAt").asLong()));
        }
        JsonNode headers = json.get("headers");
        if (headers != null && headers.isObject()) {
            for (Map.Entry<String, JsonNode> header : headers.properties()) {
                options = options.header(header.getKey(), header.getValue().asString());
            }
        }
        TaskPolicies policies = MessageCodec.readPolicies(json);
        JsonNode unique = json.get("unique");
        if (unique != null && unique.isObject()) {
            policies = policies.withUnique(new TaskPolicies.Uniqueness(unique.get("key").asString(),
                    Unique.Mode.valueOf(unique.get("mode").asString()),
                    unique.has("window") ? Duration.ofMillis(unique.get("window").asLong()) : null));
        }
        return policies.equals(TaskPolicies.NONE) ? options : options.policies(policies);
    }
}
