package dev.taskqueue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A global rate: at most {@code permits} starts per {@code period} across every worker, such as {@code 100/s},
 * {@code 20/m}, {@code 5/h} or {@code 10/2s}. Starts are spaced evenly (one every period / permits).
 *
 * @param permits how many starts
 * @param period per how long
 */
public record RateLimit(long permits, Duration period) {

    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d*)\\s*(ms|s|m|h|d)\\s*");

    public RateLimit {
        if (permits <= 0 || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("A rate limit needs a positive count and period, got " + permits + "/"
                    + period);
        }
    }

    /** Parses {@code 100/s}, {@code 20/m}, {@code 5/h}, {@code 1/d}, {@code 10/2s}, {@code 3/500ms}. */
    public static RateLimit parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate limit: write it like 100/s, 20/m, 5/h or "
                    + "10/2s");
        }
        long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        Duration unit = switch (m.group(3)) {
            case "ms" -> Duration.ofMillis(1);
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        return new RateLimit(Long.parseLong(m.group(1)), unit.multipliedBy(amount));
    }

    /** The spacing between two starts, in microseconds. */
    public long intervalMicros() {
        return Math.max(1, period.toNanos() / 1000 / permits);
    }

    @Override
    public String toString() {
        return permits + "/" + period;
    }
}
