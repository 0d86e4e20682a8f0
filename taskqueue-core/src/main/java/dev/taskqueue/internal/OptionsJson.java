package dev.taskqueue.internal;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.Unique;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

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
        StringWriter out = new StringWriter();
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            if (options.getQueue() != null) {
                g.writeStringProperty("queue", options.getQueue());
            }
            if (options.getPriority() != null) {
                g.writeNumberProperty("priority", options.getPriority());
            }
            millis(g, "countdown", options.getCountdown());
            epochMillis(g, "eta", options.getEta());
            millis(g, "expiresIn", options.getExpiresIn());
            epochMillis(g, "expiresAt", options.getExpiresAt());
            if (!options.getHeaders().isEmpty()) {
                g.writeName("headers");
                g.writeStartObject();
                for (Map.Entry<String, String> header : options.getHeaders().entrySet()) {
                    g.writeStringProperty(header.getKey(), header.getValue());
                }
                g.writeEndObject();
            }
            MessageCodec.writePolicies(g, options.getPolicies());
            TaskPolicies.Uniqueness unique = options.getPolicies().unique();
            if (unique != null) {
                g.writeName("unique");
                g.writeStartObject();
                g.writeStringProperty("key", unique.key());
                g.writeStringProperty("mode", unique.mode().name());
                millis(g, "window", unique.window());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        return mapper.readTree(out.toString());
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

    private static void millis(JsonGenerator g, String name, Duration value) {
        if (value != null) {
            g.writeNumberProperty(name, value.toMillis());
        }
    }

    private static void epochMillis(JsonGenerator g, String name, Instant value) {
        if (value != null) {
            g.writeNumberProperty(name, value.toEpochMilli());
        }
    }
}
