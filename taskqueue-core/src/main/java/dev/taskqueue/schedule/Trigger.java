package dev.taskqueue.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * When a schedule ticks. Ticks are absolute instants, the same for every application instance (a fixed rate is
 * anchored, not counted from each instance's start), which is what lets every instance name a tick alike and the
 * submission keep just one.
 */
public sealed interface Trigger permits Trigger.Cron, Trigger.FixedRate {

    /** The first tick strictly after {@code after}, or null when there is none. */
    @Nullable
    Instant next(Instant after);

    /** The latest tick at or before {@code at}, or null when there is none (looked for up to five years back). */
    @Nullable
    Instant latestAtOrBefore(Instant at);

    /** A cron expression in a time zone. */
    static Trigger cron(String expression, ZoneId zone) {
        return new Cron(CronExpression.parse(expression), zone);
    }

    /** Every {@code interval}, at {@code anchor + k * interval}. */
    static Trigger fixedRate(Duration interval, Instant anchor) {
        return new FixedRate(interval, anchor);
    }

    /**
     * Ticks of a cron expression in a zone.
     *
     * @param expression the expression
     * @param zone the time zone its fields are read in
     */
    record Cron(CronExpression expression, ZoneId zone) implements Trigger {

        public Cron {
            Objects.requireNonNull(expression, "expression");
            Objects.requireNonNull(zone, "zone");
        }

        @Override
        public @Nullable Instant next(Instant after) {
            return expression.next(after, zone);
        }

        @Override
        public @Nullable Instant latestAtOrBefore(Instant at) {
            // Look back over a growing window (a minute, two, four... up to five years) and walk its ticks forward:
            // the first window that holds a tick holds few, since the one half its size held none.
            for (Duration window = Duration.ofMinutes(1); window.compareTo(Duration.ofDays(4 * 366 + 366)) <= 0;
                    window = window.multipliedBy(2)) {
                Instant latest = null;
                Instant tick = expression.next(at.minus(window), zone);
                for (int i = 0; tick != null && !tick.isAfter(at) && i < 1_000_000; i++) {
                    latest = tick;
                    tick = expression.next(tick, zone);
                }
                if (latest != null) {
                    return latest;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "cron '" + expression + "' in " + zone;
        }
    }

    /**
     * Ticks every {@code interval}, at {@code anchor + k * interval} for any whole k.
     *
     * @param interval at least a millisecond
     * @param anchor an instant the ticks are aligned to (the epoch by default)
     */
    record FixedRate(Duration interval, Instant anchor) implements Trigger {

        public FixedRate {
            if (interval.toMillis() < 1) {
                throw new IllegalArgumentException("A fixed rate needs an interval of at least 1 ms, got " + interval);
            }
            Objects.requireNonNull(anchor, "anchor");
        }

        @Override
        public Instant next(Instant after) {
            long period = interval.toMillis();
            long since = after.toEpochMilli() - anchor.toEpochMilli();
            long k = Math.floorDiv(since, period) + 1;
            return anchor.plusMillis(k * period);
        }

        @Override
        public Instant latestAtOrBefore(Instant at) {
            long period = interval.toMillis();
            long since = at.toEpochMilli() - anchor.toEpochMilli();
            return anchor.plusMillis(Math.floorDiv(since, period) * period);
        }

        @Override
        public String toString() {
            return "every " + interval.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                    + (anchor.equals(Instant.EPOCH) ? "" : " from " + anchor);
        }
    }
}
