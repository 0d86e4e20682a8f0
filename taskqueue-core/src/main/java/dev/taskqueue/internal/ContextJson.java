package dev.taskqueue.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.broker.BrowsedTask;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a task's record keeps of its message's context for operators, in its {@code ctx} field (its parent has a
 * field of its own): <pre>{"root":"…","headers":{"traceparent":"00-…"},"children":["…"]}</pre> Written when the task
 * ends, in the HSET that already writes its arguments (a task with no headers, root nor children writes nothing
 * more). Bounded: headers are kept in order while their names and values hold
 * {@value #MAX_HEADER_CHARS} characters (a trace context is about 60), and children are bounded where they are read
 * ({@code WorkflowSuccessors}).
 */
public final class ContextJson {

    /** Characters of header names and values a record keeps; the headers past them are left out. */
    public static final int MAX_HEADER_CHARS = 2048;

    private static final JsonMapper JSON = JsonMapper.shared();

    private ContextJson() {
    }

    /** The record's {@code ctx} field for this context (its parent left out), or null when there is nothing. */
    public static @Nullable String write(Map<String, String> headers, @Nullable String rootId, List<String> children) {
        if (headers.isEmpty() && rootId == null && children.isEmpty()) {
            return null;
        }
        ObjectNode root = JSON.createObjectNode();
        if (rootId != null) {
            root.put("root", rootId);
        }
        if (!headers.isEmpty()) {
            ObjectNode kept = root.putObject("headers");
            int chars = 0;
            for (Map.Entry<String, String> header : headers.entrySet()) {
                chars += header.getKey().length() + header.getValue().length();
                if (chars > MAX_HEADER_CHARS) {
                    break;
                }
                kept.put(header.getKey(), header.getValue());
            }
        }
        if (!children.isEmpty()) {
            children.forEach(root.putArray("children")::add);
        }
        return root.toString();
    }

    /** The context a record keeps ({@code ctx}, and its {@code parent}); what cannot be read is left out. */
    public static BrowsedTask.Context read(@Nullable String json, @Nullable String parentId) {
        JsonNode root = null;
        if (json != null && !json.isEmpty()) {
            try {
                root = JSON.readTree(json);
            }
            catch (JacksonException ex) {
                root = null; // written by something else: the parent alone
            }
        }
        if (root == null || !root.isObject()) {
            return parentId == null ? BrowsedTask.Context.NONE
                    : new BrowsedTask.Context(Map.of(), parentId, null, List.of());
        }
        return new BrowsedTask.Context(headers(root.get("headers")), parentId, text(root.get("root")),
                strings(root.get("children")));
    }

    /** A message's or record's headers: only string values are headers. */
    public static Map<String, String> headers(@Nullable JsonNode node) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getValue().isString()) {
                    headers.put(e.getKey(), e.getValue().asString());
                }
            });
        }
        return headers;
    }

    /** A text field, or null when absent, empty or not text. */
    public static @Nullable String text(@Nullable JsonNode node) {
        return node != null && node.isString() && !node.asString().isEmpty() ? node.asString() : null;
    }

    private static List<String> strings(@Nullable JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(value -> {
                if (value.isString()) {
                    values.add(value.asString());
                }
            });
        }
        return values;
    }
}
