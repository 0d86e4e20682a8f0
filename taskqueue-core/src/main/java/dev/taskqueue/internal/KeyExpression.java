package dev.taskqueue.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A key computed from a task's arguments, for uniqueness and concurrency limits: parts joined with {@code :},
 * each a parameter reference {@code #name} with optional properties {@code #name.field.field}, or literal text;
 * {@code *} alone means "one key for every call". Evaluated on the arguments as JSON, so that a producer and a
 * worker compute the same key.
 *
 * <p>A key is injective: two calls share it only when the task and every part are equal, value and type. Callers
 * choose the values (a tenant, an order id), so a value must never be able to reach into the next part. Each part
 * is written readably:
 * <ul>
 * <li>a string (a string argument, a literal, the task's name) as it is, except that {@code %} becomes {@code %25},
 * {@code :} becomes {@code %3A}, and a first character {@code =} or {@code *} becomes {@code %3D} or {@code %2A};
 * <li>any other JSON value as {@code =} and its JSON text, escaped the same way: {@code =42}, {@code =true},
 * {@code =null}, <code>={"id"%3A7}</code>.
 * </ul>
 * So {@code #tenant:#orderId} gives {@code acme%3A1:2} for ({@code "acme:1"}, {@code "2"}) and {@code acme:1%3A2}
 * for ({@code "acme"}, {@code "1:2"}); {@code null} gives {@code =null} and {@code "null"} gives {@code null}; the
 * number 42 gives {@code =42} and the string {@code "42"} gives {@code 42}. A string free of those characters reads
 * as it is, as it always did.
 */
public final class KeyExpression {

    private record Part(@Nullable String literal, int parameter, List<String> path) {
    }

    private final String source;
    private final List<Part> parts;

    private KeyExpression(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * Parses an expression against the task's parameter names.
     *
     * @throws IllegalArgumentException naming the unknown parameter
     */
    public static KeyExpression parse(String source, List<String> parameterNames) {
        List<Part> parts = new ArrayList<>();
        if (!source.equals("*")) {
            for (String token : source.split(":", -1)) {
                if (token.startsWith("#")) {
                    String[] path = token.substring(1).split("\\.");
                    int index = parameterNames.indexOf(path[0]);
                    if (index < 0) {
                        throw new IllegalArgumentException("the key '" + source + "' names a parameter '" + path[0]
                                + "' the task does not have (its parameters: " + parameterNames
                                + "; compile with -parameters to use their names)");
                    }
                    parts.add(new Part(null, index, List.of(path).subList(1, path.length)));
                }
                else {
                    parts.add(new Part(token, -1, List.of()));
                }
            }
        }
        return new KeyExpression(source, List.copyOf(parts));
    }

    /**
     * The key of a call of {@code taskName}: the task's name, then the expression's value for these arguments
     * ({@code argument.apply(i)} gives argument i as JSON).
     */
    public String keyOf(String taskName, IntFunction<JsonNode> argument) {
        StringBuilder key = new StringBuilder();
        appendString(key, taskName);
        key.append(':');
        if (parts.isEmpty()) {
            return key.append('*').toString();
        }
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            if (i > 0) {
                key.append(':');
            }
            if (part.literal() != null) {
                appendString(key, part.literal());
                continue;
            }
            JsonNode node = argument.apply(part.parameter());
            for (String field : part.path()) {
                node = node == null ? null : node.get(field);
            }
            if (node != null && node.isString()) {
                appendString(key, node.asString());
            }
            else {
                key.append('=');
                appendEscaped(key, node == null ? "null" : node.toString(), false);
            }
        }
        return key.toString();
    }

    private static void appendString(StringBuilder key, String text) {
        appendEscaped(key, text, true);
    }

    /** Appends {@code text} with {@code %} and {@code :} escaped, and a first {@code =} or {@code *} if asked. */
    private static void appendEscaped(StringBuilder key, String text, boolean escapeMarks) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                key.append("%25");
            }
            else if (c == ':') {
                key.append("%3A");
            }
            else if (i == 0 && escapeMarks && c == '=') {
                key.append("%3D");
            }
            else if (i == 0 && escapeMarks && c == '*') {
                key.append("%2A");
            }
            else {
                key.append(c);
            }
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
