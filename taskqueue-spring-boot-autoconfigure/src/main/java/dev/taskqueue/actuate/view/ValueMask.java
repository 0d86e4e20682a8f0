package dev.taskqueue.actuate.view;

import org.jspecify.annotations.Nullable;

/**
 * Masks the values a task declares sensitive in its arguments and result before an operator sees them (in the
 * actuator endpoint and the dashboard), whether or not values are shown otherwise ({@code show-values}). Define a
 * bean to replace the default, which masks nothing.
 */
public interface ValueMask {

    /** Masks nothing. */
    ValueMask NONE = new ValueMask() {
    };

    /** The task's arguments (a JSON array) with its sensitive values masked. */
    default @Nullable String arguments(@Nullable String taskName, @Nullable String argumentsJson) {
        return argumentsJson;
    }

    /** The task's result (a JSON value) masked when the task declares it sensitive. */
    default @Nullable String result(@Nullable String taskName, @Nullable String resultJson) {
        return resultJson;
    }
}
