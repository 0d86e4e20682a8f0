package dev.taskqueue.celery;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * The JSON Celery's peers write and read: Python's {@code json} (bare {@code NaN}/{@code Infinity}, integers of any
 * size), both kombu dialects of dates and decimals (plain strings before kombu 5.3, {@code {"__type__", "__value__"}}
 * markers after), and ISO-8601 times that may be naive (then UTC).
 */
final class CeleryJson {

    /** Plain JSON nodes only: no polymorphic typing, no Java types named by the input. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** UTC with an explicit offset and microseconds, which every Celery version reads. */
    private static final DateTimeFormatter ISO_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private CeleryJson() {
    }

    /** {@code 2026-11-23T22:00:16.334228+00:00}. */
    static String iso(Instant instant) {
        return ISO_UTC.format(instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
    }

    /**
     * An ISO-8601 time as Celery writes it: with an offset, with {@code Z}, or naive (UTC); or null for null or an
     * empty value.
     *
     * @throws IllegalArgumentException naming the field when it is not a time
     */
    static @Nullable Instant instant(@Nullable JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode value = isMarker(node) ? node.get("__value__") : node;
        String text = value.isString() ? value.asString() : null;
        if (text == null || text.isBlank()) {
            if (value.isNumber()) {
                return Instant.ofEpochMilli(Math.round(value.asDouble() * 1000));
            }
            throw new IllegalArgumentException(field + " is not an ISO-8601 time: " + node);
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        }
        catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            }
            catch (DateTimeParseException ex) {
                throw new IllegalArgumentException(field + " is not an ISO-8601 time: " + text, ex);
            }
        }
    }

    /** Whether kombu 5.3+ wrote this object as a typed value. */
    static boolean isMarker(JsonNode node) {
        return node.isObject() && node.size() == 2 && node.has("__type__") && node.has("__value__");
    }

    /**
     * The value with kombu 5.3+'s typed markers replaced by the plain JSON kombu 5.2 writes for them (dates and
     * decimals as strings, a UUID as its text), so that both dialects bind to the same parameters.
     *
     * @throws IllegalArgumentException for a marker of a type Celery does not define
     */
    static JsonNode plain(JsonNode node) {
        if (isMarker(node)) {
            String type = node.get("__type__").asString();
            JsonNode value = node.get("__value__");
            return switch (type) {
                case "datetime", "date", "time", "decimal", "bytes", "base64" -> StringNode.valueOf(value.asString());
                case "uuid" -> StringNode.valueOf(uuid(value));
                default -> throw new IllegalArgumentException("a value is marked with the unknown type '" + type
                        + "' (kombu's __type__ markers are datetime, date, time, decimal, uuid, bytes, base64)");
            };
        }
        if (node.isArray()) {
            ArrayNode copy = MAPPER.createArrayNode();
            for (JsonNode item : node) {
                copy.add(plain(item));
            }
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = MAPPER.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                copy.set(field.getKey(), plain(field.getValue()));
            }
            return copy;
        }
        return node;
    }

    private static String uuid(JsonNode value) {
        String hex = value.isObject() ? value.path("hex").asString("") : value.asString("");
        if (hex.length() == 32) {
            return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                    + hex.substring(16, 20) + "-" + hex.substring(20);
        }
        return hex;
    }
}
