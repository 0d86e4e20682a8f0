package dev.taskqueue.internal;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.RateLimit;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.TaskMessage;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Writes and reads task messages, arguments and results as JSON, with the application's mapper (no default
 * typing: a payload can only become the types the task method declares).
 *
 * <p>A message body is one JSON object; the id travels beside it (the stream entry's {@code i} field), so it is
 * not repeated. Fields at their default value are left out, which keeps a minimal task near 60 bytes:
 * <pre>{"task":"images.thumbnail","args":["img-42",200],"queue":"images","created":1732400000000}</pre>
 * Optional fields: {@code priority}, {@code eta}, {@code expires} (epoch milliseconds), {@code attempt},
 * {@code headers} (string map), {@code parent}, {@code root}, {@code workflow} (what runs after it in a workflow, an
 * object with its format version, written and read by {@code dev.taskqueue.workflow}). A workflow step also has
 * {@code "wf":1}: releases before the versioned format read their (untyped) workflow from {@code wf} and set aside
 * as unreadable a message whose {@code wf} is not an object, so a worker of such a release, met during an upgrade,
 * puts the step in the dead letters (requeue it once the upgrade is done) instead of running it without starting
 * what follows. A message of such a release, with its workflow in {@code wf}, is read as it was written.
 */
public final class MessageCodec {

    private final ObjectMapper mapper;

    public MessageCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** The body of a message: its fields and its arguments, written with the mapper. */
    public byte[] encodeBody(TaskMessage message, List<? extends @Nullable Object> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("task", message.task());
            g.writeName("args");
            g.writeStartArray();
            for (Object arg : args) {
                g.writePOJO(arg);
            }
            g.writeEndArray();
            g.writeStringProperty("queue", message.queue());
            g.writeNumberProperty("created", message.createdAt());
            if (message.priority() != 0) {
                g.writeNumberProperty("priority", message.priority());
            }
            writeOptional(g, "eta", message.eta());
            writeOptional(g, "expires", message.expires());
            if (message.attempt() != 0) {
                g.writeNumberProperty("attempt", message.attempt());
            }
            if (!message.headers().isEmpty()) {
                g.writeName("headers");
                g.writeStartObject();
                for (Map.Entry<String, String> header : message.headers().entrySet()) {
                    g.writeStringProperty(header.getKey(), header.getValue());
                }
                g.writeEndObject();
            }
            if (message.parentId() != null) {
                g.writeStringProperty("parent", message.parentId());
            }
            if (message.rootId() != null) {
                g.writeStringProperty("root", message.rootId());
            }
            writePolicies(g, message.policies());
            if (message.uniqueKey() != null) {
                g.writeStringProperty("unique", message.uniqueKey());
            }
            if (message.rateReserved()) {
                g.writeBooleanProperty("reserved", true);
            }
            if (message.workflow() != null) {
                g.writeNumberProperty(EARLIER_WORKFLOW, 1);
                g.writeName(WORKFLOW);
                g.writeTree(message.workflow());
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /**
     * Reads a message body.
     *
     * @throws CorruptMessageException when the bytes are not a message: the caller quarantines them
     */
    public Decoded decode(String id, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        }
        catch (JacksonException ex) {
            throw new CorruptMessageException("not valid JSON: " + ex.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CorruptMessageException("not a JSON object");
        }
        JsonNode task = root.get("task");
        if (task == null || !task.isString() || task.asString().isEmpty()) {
            throw new CorruptMessageException("no \"task\" name");
        }
        JsonNode args = root.get("args");
        if (args != null && !args.isArray()) {
            throw new CorruptMessageException("\"args\" is not an array");
        }
        Map<String, String> headers = Map.of();
        JsonNode headerNode = root.get("headers");
        if (headerNode != null && headerNode.isObject()) {
            Map<String, String> copy = new LinkedHashMap<>();
            headerNode.properties().forEach(e -> copy.put(e.getKey(), e.getValue().asString()));
            headers = Collections.unmodifiableMap(copy);
        }
        TaskPolicies policies;
        try {
            policies = readPolicies(root);
        }
        catch (IllegalArgumentException ex) {
            throw new CorruptMessageException("invalid policy: " + ex.getMessage());
        }
        JsonNode reserved = root.get("reserved");
        TaskMessage message = new TaskMessage(id, task.asString(), text(root, "queue", ""),
                (int) number(root, "priority", 0), number(root, "created", 0), optionalNumber(root, "eta"),
                optionalNumber(root, "expires"), (int) number(root, "attempt", 0), headers,
                textOrNull(root, "parent"), textOrNull(root, "root"), policies, textOrNull(root, "unique"),
                reserved != null && reserved.asBoolean(), workflow(root));
        return new Decoded(message, args == null ? mapper.createArrayNode() : (ArrayNode) args);
    }

    /** The field of a message's workflow. */
    private static final String WORKFLOW = "workflow";

    /** Where releases before the versioned workflow format kept it: only read, and written as a guard. */
    private static final String EARLIER_WORKFLOW = "wf";

    /**
     * A message's workflow, or null; in the unversioned format of earlier releases when it has no version. The one
     * place that knows where a workflow may be: the codec and the dashboard's reads of stored messages use it.
     *
     * @throws CorruptMessageException when it is not a JSON object
     */
    public static @Nullable JsonNode workflow(JsonNode root) {
        JsonNode workflow = root.has(WORKFLOW) ? root.get(WORKFLOW) : root.get(EARLIER_WORKFLOW);
        if (workflow == null || workflow.isNull()) {
            return null;
        }
        if (!workflow.isObject()) {
            throw new CorruptMessageException("its workflow is not a JSON object");
        }
        return workflow;
    }

    /** Converts one argument to a parameter type. */
    public Object convertArgument(JsonNode arg, JavaType type) {
        return mapper.treeToValue(arg, type);
    }

    /** A result as JSON, written as the method's declared result type. */
    public String encodeResult(@Nullable Object result, Type resultType) {
        return mapper.writerFor(mapper.constructType(resultType)).writeValueAsString(result);
    }

    /** A stored result read back as {@code type}. */
    public @Nullable Object decodeResult(@Nullable String json, Type type) {
        if (json == null || type == Void.class || type == void.class) {
            return null;
        }
        return mapper.readValue(json, mapper.constructType(type));
    }

    /**
     * Writes the policies set for this call: {@code retry} {maxRetries, delay, multiplier, maxDelay, jitter (ms),
     * includes, excludes}, {@code timeLimit} {soft, hard (ms)}, {@code rateLimit} ("100/1000ms"),
     * {@code concurrency} {limit, key}. A policy set only by the task's declaration is not repeated here.
     */
    static void writePolicies(JsonGenerator g, TaskPolicies policies) {
        RetryPolicy retry = policies.retry();
        if (retry.isSet()) {
            g.writeName("retry");
            g.writeStartObject();
            if (retry.maxRetriesOrNull() != null) {
                g.writeNumberProperty("maxRetries", retry.maxRetriesOrNull());
            }
            writeMillis(g, "delay", retry.delayOrNull());
            if (retry.multiplierOrNull() != null) {
                g.writeNumberProperty("multiplier", retry.multiplierOrNull());
            }
            writeMillis(g, "maxDelay", retry.maxDelayOrNull());
            writeMillis(g, "jitter", retry.jitterOrNull());
            writeStrings(g, "includes", retry.includes());
            writeStrings(g, "excludes", retry.excludes());
            g.writeEndObject();
        }
        if (policies.softTimeLimit() != null || policies.hardTimeLimit() != null) {
            g.writeName("timeLimit");
            g.writeStartObject();
            writeMillis(g, "soft", policies.softTimeLimit());
            writeMillis(g, "hard", policies.hardTimeLimit());
            g.writeEndObject();
        }
        if (policies.rateLimit() != null) {
            g.writeStringProperty("rateLimit", policies.rateLimit().permits() + "/"
                    + policies.rateLimit().period().toMillis() + "ms");
        }
        if (policies.concurrency() != null) {
            g.writeName("concurrency");
            g.writeStartObject();
            g.writeNumberProperty("limit", policies.concurrency().limit());
            g.writeStringProperty("key", policies.concurrency().key());
            g.writeEndObject();
        }
    }

    static TaskPolicies readPolicies(JsonNode root) {
        if (!root.has("retry") && !root.has("timeLimit") && !root.has("rateLimit") && !root.has("concurrency")) {
            return TaskPolicies.NONE; // the common case: the same instance, so that callers can skip merging
        }
        TaskPolicies policies = TaskPolicies.NONE;
        JsonNode retry = root.get("retry");
        if (retry != null && retry.isObject()) {
            RetryPolicy policy = RetryPolicy.UNSET;
            if (retry.has("maxRetries")) {
                policy = policy.withMaxRetries(retry.get("maxRetries").asInt());
            }
            if (retry.has("delay")) {
                policy = policy.withDelay(Duration.ofMillis(retry.get("delay").asLong()));
            }
            if (retry.has("multiplier")) {
                policy = policy.withMultiplier(retry.get("multiplier").asDouble());
            }
            if (retry.has("maxDelay")) {
                policy = policy.withMaxDelay(Duration.ofMillis(retry.get("maxDelay").asLong()));
            }
            if (retry.has("jitter")) {
                policy = policy.withJitter(Duration.ofMillis(retry.get("jitter").asLong()));
            }
            policy = policy.withExceptionNames(strings(retry.get("includes")), strings(retry.get("excludes")));
            policies = policies.withRetry(policy);
        }
        JsonNode limits = root.get("timeLimit");
        if (limits != null && limits.isObject()) {
            policies = policies.withTimeLimits(millis(limits.get("soft")), millis(limits.get("hard")));
        }
        JsonNode rate = root.get("rateLimit");
        if (rate != null && rate.isString()) {
            policies = policies.withRateLimit(RateLimit.parse(rate.asString()));
        }
        JsonNode concurrency = root.get("concurrency");
        if (concurrency != null && concurrency.isObject()) {
            policies = policies.withConcurrency(new TaskPolicies.ConcurrencyLimit(concurrency.get("limit").asInt(),
                    concurrency.has("key") ? concurrency.get("key").asString() : ""));
        }
        return policies;
    }

    private static void writeMillis(JsonGenerator g, String name, @Nullable Duration value) {
        if (value != null) {
            g.writeNumberProperty(name, value.toMillis());
        }
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) {
        if (!values.isEmpty()) {
            g.writeName(name);
            g.writeStartArray();
            for (String value : values) {
                g.writeString(value);
            }
            g.writeEndArray();
        }
    }

    private static @Nullable Duration millis(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : Duration.ofMillis(node.asLong());
    }

    private static List<String> strings(@Nullable JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(value -> values.add(value.asString()));
        }
        return values;
    }

    /** Reads only what the broker needs from a body it holds: its uniqueness key, or null (also when unreadable). */
    public static @Nullable String uniqueKeyOf(byte[] body) {
        try {
            JsonNode unique = PLAIN.readTree(body).get("unique");
            return unique == null || !unique.isString() ? null : unique.asString();
        }
        catch (JacksonException | NullPointerException ex) {
            return null;
        }
    }

    /** Whether a body the broker holds is a step of a workflow (something runs after it), false when unreadable. */
    public static boolean isWorkflowStep(byte[] body) {
        try {
            return workflow(PLAIN.readTree(body)) != null;
        }
        catch (JacksonException | NullPointerException | CorruptMessageException ex) {
            return false;
        }
    }

    /** Reads a message's own fields, which do not depend on the application's mapper settings. */
    private static final JsonMapper PLAIN = JsonMapper.builder().build();

    /** Raw bytes as text for messages and dead letters; invalid UTF-8 shows as replacement characters. */
    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeOptional(JsonGenerator g, String name, @Nullable Long value) {
        if (value != null) {
            g.writeNumberProperty(name, value);
        }
    }

    private static String text(JsonNode root, String name, String fallback) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? fallback : node.asString();
    }

    private static @Nullable String textOrNull(JsonNode root, String name) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? null : node.asString();
    }

    private static long number(JsonNode root, String name, long fallback) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber()) {
            throw new CorruptMessageException("\"" + name + "\" is not an integer");
        }
        return node.asLong();
    }

    private static @Nullable Long optionalNumber(JsonNode root, String name) {
        JsonNode node = root.get(name);
        return node == null || node.isNull() ? null : number(root, name, 0);
    }

    /** A message read from its body, with its arguments still as JSON (they convert on the worker). */
    public record Decoded(TaskMessage message, ArrayNode args) {
    }

    /** The bytes of a message could not be read as a message. */
    public static final class CorruptMessageException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public CorruptMessageException(String reason) {
            super(reason);
        }
    }
}
