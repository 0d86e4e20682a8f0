package dev.taskqueue.celery;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads kombu envelopes of Celery task messages (protocol 2, JSON only) and refuses, with the reason, everything a
 * Java worker must not run:
 * <ol>
 * <li>the envelope must be a JSON object with {@code body}, {@code headers} and {@code properties};</li>
 * <li>its content type must be JSON: a pickle, YAML or msgpack body is never decoded;</li>
 * <li>its headers must name the task (protocol 2); protocol 1 keeps it in the body;</li>
 * <li>its body (base64 unless the sender left the encoding out; zlib-compressed when the headers say
 * {@code application/x-gzip}) must be {@code [args, kwargs, embed]}: a body of two items kills a Python worker, and
 * is refused here.</li>
 * </ol>
 */
final class CeleryEnvelopes {

    /** The content types Celery's {@code json} serializer writes. */
    static boolean isJson(@Nullable String contentType) {
        return "application/json".equals(contentType) || "json".equals(contentType);
    }

    private CeleryEnvelopes() {
    }

    /**
     * The message in {@code raw}, popped from {@code queue} under {@code deliveryTag}.
     *
     * @throws CeleryRefusal saying what is wrong and what the sender should do
     */
    static CeleryMessage read(String raw, String queue, String deliveryTag) {
        JsonNode envelope;
        try {
            envelope = CeleryJson.MAPPER.readTree(raw);
        }
        catch (JacksonException ex) {
            throw new CeleryRefusal("the message is not JSON, so not a kombu envelope: "
                    + "send it with Celery (or kombu) on its Redis transport", ex);
        }
        if (!envelope.isObject() || !envelope.path("headers").isObject() || !envelope.has("body")) {
            throw new CeleryRefusal("the message is not a kombu envelope (a JSON object with body, headers and "
                    + "properties): send it with Celery (or kombu) on its Redis transport");
        }
        String contentType = CeleryMessage.text(envelope.get("content-type"));
        if (!isJson(contentType)) {
            throw new CeleryRefusal("its content type is " + contentType + ", not application/json: Java workers "
                    + "decode JSON only (a pickle is never decoded). Set task_serializer='json' and "
                    + "accept_content=['json'] in the Celery app that sent it");
        }
        ObjectNode headers = (ObjectNode) envelope.get("headers");
        JsonNode properties = envelope.path("properties");
        String task = CeleryMessage.text(headers.get("task"));
        if (task == null) {
            throw new CeleryRefusal("it is a protocol 1 message (its headers name no task): Java workers read "
                    + "protocol 2, Celery's default since 4.0; remove task_protocol=1 from the sender's settings");
        }
        String id = CeleryMessage.text(headers.get("id"));
        if (id == null || id.isBlank()) {
            throw new CeleryRefusal("its headers have no task id ('id'): it was not sent by Celery");
        }
        JsonNode body = body(envelope, headers, properties);
        if (!body.isArray() || body.size() != 3) {
            throw new CeleryRefusal("its body is not [args, kwargs, embed] (" + describe(body)
                    + "): a Celery protocol 2 body has exactly these 3 items");
        }
        if (!body.get(0).isArray() || !body.get(1).isObject()
                || !(body.get(2).isObject() || body.get(2).isNull())) {
            throw new CeleryRefusal("its body is not [args (a list), kwargs (an object), embed (an object or "
                    + "null)]: " + describe(body));
        }
        ArrayNode args;
        ObjectNode kwargs;
        try {
            args = (ArrayNode) CeleryJson.plain(body.get(0));
            kwargs = (ObjectNode) CeleryJson.plain(body.get(1));
        }
        catch (IllegalArgumentException ex) {
            throw new CeleryRefusal("its arguments cannot be read: " + ex.getMessage(), ex);
        }
        ObjectNode embed = body.get(2).isObject() ? (ObjectNode) body.get(2) : CeleryJson.MAPPER.createObjectNode();
        Instant eta;
        Instant expires;
        try {
            eta = CeleryJson.instant(headers.get("eta"), "its eta");
            expires = CeleryJson.instant(headers.get("expires"), "its expires");
        }
        catch (IllegalArgumentException ex) {
            throw new CeleryRefusal(ex.getMessage() + " (Celery writes ISO-8601, such as "
                    + "2026-11-23T22:00:16.334228+00:00)", ex);
        }
        JsonNode timeLimit = headers.path("timelimit");
        Double hard = timeLimit.isArray() && timeLimit.size() == 2 && timeLimit.get(0).isNumber()
                ? timeLimit.get(0).asDouble() : null;
        Double soft = timeLimit.isArray() && timeLimit.size() == 2 && timeLimit.get(1).isNumber()
                ? timeLimit.get(1).asDouble() : null;
        JsonNode priority = properties.path("priority");
        return new CeleryMessage(raw, headers, id, task, args, kwargs, embed, eta, expires,
                headers.path("retries").asInt(0), soft, hard, priority.isNumber() ? priority.asInt() : 0, queue,
                deliveryTag);
    }

    /**
     * A kombu envelope of a JSON body: what events, remote-control requests and replies travel in (task messages are
     * {@link CeleryOutgoing}'s).
     *
     * @param deliveryMode 2 for persistent, 1 for transient
     */
    static String write(JsonNode body, ObjectNode headers, String exchange, String routingKey, int deliveryMode) {
        ObjectNode properties = CeleryJson.MAPPER.createObjectNode();
        properties.put("delivery_mode", deliveryMode);
        properties.putObject("delivery_info").put("exchange", exchange).put("routing_key", routingKey);
        properties.put("priority", 0);
        return write(body, headers, properties);
    }

    /**
     * A kombu envelope of a JSON body with these properties, to which the transport's own are added: the body's
     * encoding (base64, which every kombu reads) and a fresh delivery tag.
     */
    static String write(JsonNode body, ObjectNode headers, ObjectNode properties) {
        properties.put("body_encoding", "base64");
        properties.put("delivery_tag", UUID.randomUUID().toString());
        ObjectNode envelope = CeleryJson.MAPPER.createObjectNode();
        envelope.put("body", Base64.getEncoder().encodeToString(
                CeleryJson.MAPPER.writeValueAsString(body).getBytes(StandardCharsets.UTF_8)));
        envelope.put("content-encoding", "utf-8");
        envelope.put("content-type", "application/json");
        envelope.set("headers", headers);
        envelope.set("properties", properties);
        return CeleryJson.MAPPER.writeValueAsString(envelope);
    }

    /** The JSON body of an envelope from Python (events, remote control), whatever its body encoding. */
    static JsonNode body(String raw) {
        JsonNode envelope;
        try {
            envelope = CeleryJson.MAPPER.readTree(raw);
        }
        catch (JacksonException ex) {
            throw new CeleryRefusal("the message is not JSON, so not a kombu envelope", ex);
        }
        if (!envelope.isObject() || !envelope.has("body")) {
            throw new CeleryRefusal("the message is not a kombu envelope (a JSON object with a body)");
        }
        if (!isJson(CeleryMessage.text(envelope.get("content-type")))) {
            throw new CeleryRefusal("its content type is not application/json");
        }
        ObjectNode headers = envelope.path("headers").isObject() ? (ObjectNode) envelope.get("headers")
                : CeleryJson.MAPPER.createObjectNode();
        return body(envelope, headers, envelope.path("properties"));
    }

    private static JsonNode body(JsonNode envelope, ObjectNode headers, JsonNode properties) {
        JsonNode body = envelope.get("body");
        if (!body.isString()) {
            throw new CeleryRefusal("its body is not a string: kombu stores the serialized body as text");
        }
        String encoding = CeleryMessage.text(properties.get("body_encoding"));
        byte[] bytes;
        if ("base64".equals(encoding)) {
            try {
                bytes = Base64.getDecoder().decode(body.asString());
            }
            catch (IllegalArgumentException ex) {
                throw new CeleryRefusal("its body is not base64, as its body_encoding says", ex);
            }
        }
        else if (encoding == null || "utf-8".equals(encoding)) {
            bytes = body.asString().getBytes(StandardCharsets.UTF_8);
        }
        else {
            throw new CeleryRefusal("its body_encoding is " + encoding + ": kombu defines base64 only");
        }
        String compression = CeleryMessage.text(headers.get("compression"));
        if (compression != null) {
            if (!"application/x-gzip".equals(compression) && !"zlib".equals(compression)) {
                throw new CeleryRefusal("its body is compressed with " + compression + ": Java workers decompress "
                        + "zlib (application/x-gzip) only; send it with task_compression='zlib' or none");
            }
            bytes = inflate(bytes);
        }
        try {
            return CeleryJson.MAPPER.readTree(bytes);
        }
        catch (JacksonException ex) {
            throw new CeleryRefusal("its body is not JSON although its content type says so", ex);
        }
    }

    private static byte[] inflate(byte[] compressed) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 4);
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CeleryRefusal("its zlib-compressed body is cut short");
                }
                out.write(buffer, 0, n);
                if (out.size() > CeleryProtocol.MAX_BODY_BYTES) {
                    throw new CeleryRefusal("its body is larger than " + CeleryProtocol.MAX_BODY_BYTES
                            + " bytes once decompressed");
                }
            }
            return out.toByteArray();
        }
        catch (DataFormatException ex) {
            throw new CeleryRefusal("its body is not zlib data, as its compression header says", ex);
        }
        finally {
            inflater.end();
        }
    }

    private static String describe(JsonNode body) {
        String text = body.toString();
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
