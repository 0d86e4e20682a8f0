package dev.taskqueue.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/** Parses the durations written in annotations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, ISO-8601. */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** The duration, or null for an empty string. */
    public static @Nullable Duration parse(String text) {
        String value = text.trim();
        if (value.isEmpty()) {
            return null;
        }
        Matcher simple = SIMPLE.matcher(value);
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(value);
        }
        catch (DateTimeParseException ex) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write it like 500ms, 30s, 5m, 1h, 1d"
                    + " or PT30S");
        }
    }
}
