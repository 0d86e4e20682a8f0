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

    /** The key for these arguments ({@code argument.apply(i)} gives argument i as JSON). */
    public String evaluate(IntFunction<JsonNode> argument) {
        if (parts.isEmpty()) {
            return "*";
        }
        StringBuilder key = new StringBuilder();
        for (Part part : parts) {
            if (key.length() > 0) {
                key.append(':');
            }
            if (part.literal() != null) {
                key.append(part.literal());
                continue;
            }
            JsonNode node = argument.apply(part.parameter());
            for (String field : part.path()) {
                node = node == null ? null : node.get(field);
            }
            key.append(node == null || node.isNull() ? "null" : node.isValueNode() ? node.asString() : node.toString());
        }
        return key.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
