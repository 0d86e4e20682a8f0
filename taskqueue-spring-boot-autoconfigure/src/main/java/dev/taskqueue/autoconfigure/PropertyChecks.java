package dev.taskqueue.autoconfigure;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.internal.TaskDeclarations;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;

/**
 * Checks of the {@code taskqueue.*} values that are names or little languages (queues, rate limits, cron
 * expressions, zones, health statuses), for the properties classes, which validate themselves as Boot binds them.
 * A wrong value then fails the startup with Boot's report, which names the property, its value and where it was
 * set; each message says what is valid.
 */
final class PropertyChecks {

    /** What a status code of the application's own may be made of. */
    private static final Pattern STATUS_CODE = Pattern.compile("[A-Za-z0-9_-]+");

    private PropertyChecks() {
    }

    /**
     * Runs {@code check} on the value of {@code field}, when set, and rejects the field with the message of what
     * it throws.
     */
    static <T> void check(Errors errors, String field, @Nullable T value, Consumer<T> check) {
        if (value == null) {
            return;
        }
        try {
            check.accept(value);
        }
        catch (IllegalArgumentException | DateTimeException ex) {
            // A .properties file keeps a comment written after a value: the most likely cause of a bad value.
            String comment = value.toString().contains("#") ? ". A .properties file keeps a comment written after a "
                    + "value as part of the value: put the comment on a line of its own" : "";
            errors.rejectValue(field, "invalid", ex.getMessage() + comment);
        }
    }

    /** A queue to consume: {@code name}, or {@code name:weight} with a positive whole weight. */
    static WeightedQueue weightedQueue(String entry) {
        int colon = entry.lastIndexOf(':');
        String name = (colon < 0 ? entry : entry.substring(0, colon)).trim();
        String weight = colon < 0 ? "1" : entry.substring(colon + 1).trim();
        String why;
        try {
            TaskDeclarations.checkQueueName(name);
            int parsed = Integer.parseInt(weight);
            if (parsed > 0) {
                return new WeightedQueue(name, parsed);
            }
            why = "the weight is " + parsed;
        }
        catch (NumberFormatException ex) {
            why = "the weight '" + weight + "' is not a whole number";
        }
        catch (IllegalArgumentException ex) {
            why = ex.getMessage();
        }
        throw new IllegalArgumentException("'" + entry + "' must be 'name' or 'name:weight' with a valid queue name "
                + "and a positive whole weight, such as 'images:3' (" + why + ")");
    }

    /** A time zone: a region such as {@code Europe/Paris}, or an offset such as {@code UTC} or {@code +02:00}. */
    static void zone(String value) {
        try {
            ZoneId.of(value);
        }
        catch (DateTimeException ex) {
            throw new IllegalArgumentException("'" + value + "' is not a time zone: use a region such as "
                    + "Europe/Paris, or an offset such as UTC or +02:00", ex);
        }
    }

    /** A task priority, from 0 to 9 (most urgent). */
    static void priority(int value) {
        if (value < TaskOptions.MIN_PRIORITY || value > TaskOptions.MAX_PRIORITY) {
            throw new IllegalArgumentException("A priority goes from " + TaskOptions.MIN_PRIORITY + " to "
                    + TaskOptions.MAX_PRIORITY + " (most urgent), got " + value);
        }
    }

    /**
     * A health status code: UP, DOWN, OUT_OF_SERVICE, UNKNOWN, or one of the application's own, which the health
     * auto-configuration looks for in the health endpoint's status orders.
     */
    static void healthStatus(String value) {
        if (!STATUS_CODE.matcher(value.trim()).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a health status: use UP, DOWN, OUT_OF_SERVICE "
                    + "or UNKNOWN, or a status of your own (letters, digits, _ and -) listed in "
                    + "management.endpoint.health.status.order");
        }
    }

    /** A size in bytes, as the engine takes it: from 1 byte to below 2 GB (larger data belongs in an object store). */
    static int bytes(DataSize size) {
        if (size.toBytes() <= 0 || size.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("A size must be from 1B to below 2GB, got " + size
                    + "; large data belongs in an object store, with a reference in the task");
        }
        return (int) size.toBytes();
    }

    /** A queue to consume, and how often it is tried relative to the others. */
    record WeightedQueue(String name, int weight) {
    }
}
