package dev.taskqueue;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.StringNode;

/**
 * What is shown in place of a {@link Sensitive} value. Declare a bean to show something else (the last four
 * digits of a card number, a hash to tell values apart); the default shows {@value #MASK} for every value.
 */
@FunctionalInterface
public interface ValueMasker {

    /** What the default masker shows. */
    String MASK = "******";

    /** Shows {@value #MASK} for every value. */
    ValueMasker DEFAULT = (taskName, path, value) -> StringNode.valueOf(MASK);

    /**
     * The value to show in place of a sensitive one.
     *
     * @param taskName the task
     * @param path where the value is: the parameter's name, then properties ({@code billing.street}; {@code *} for
     *        every element of a list or value of a map), or {@code result} and its properties
     * @param value the value as JSON (never JSON null: null is shown as it is)
     */
    JsonNode mask(String taskName, String path, JsonNode value);
}
