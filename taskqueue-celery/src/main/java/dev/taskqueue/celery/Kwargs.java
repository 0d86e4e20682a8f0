package dev.taskqueue.celery;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Keyword arguments of a call to a Celery task, given as its last argument:
 *
 * <pre>{@code
 * taskClient.submit("images.thumbnail", "img-42", Kwargs.of("width", 200, "height", 100));
 * // Python receives thumbnail("img-42", width=200, height=100)
 * }</pre>
 *
 * On a Java worker, keyword arguments bind to the {@code @Task} method's parameters by name.
 *
 * @param values the names and values, in order
 */
public record Kwargs(Map<String, @Nullable Object> values) {

    public Kwargs {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Keyword arguments from names and values, alternating: {@code Kwargs.of("width", 200, "height", 100)}. */
    public static Kwargs of(@Nullable Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Kwargs.of takes names and values in pairs, but got "
                    + namesAndValues.length + " items");
        }
        Map<String, @Nullable Object> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String name)) {
                throw new IllegalArgumentException("Kwargs.of takes names and values in pairs; item " + i
                        + " should be a name (a String), but is " + namesAndValues[i]);
            }
            values.put(name, namesAndValues[i + 1]);
        }
        return new Kwargs(values);
    }

    /** Keyword arguments from a map. */
    public static Kwargs from(Map<String, ?> values) {
        return new Kwargs(new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
    }
}
