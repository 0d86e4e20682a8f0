package dev.taskqueue.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.jspecify.annotations.Nullable;

/**
 * A cron expression, parsed and evaluated by Spring's {@link org.springframework.scheduling.support.CronExpression}
 * (six fields {@code second minute hour day-of-month month day-of-week}, names, ranges, steps, lists, {@code ?},
 * macros such as {@code @hourly}), with what users of Unix cron write and Spring's parser reads otherwise:
 * <ol>
 * <li>five fields (Unix, no seconds): the seconds are 0;</li>
 * <li>both day fields restricted ({@code 0 0 1 * MON}): a day that matches <i>either</i> runs, as in Unix cron
 * ({@code man 5 crontab}), where Spring asks both to match. That is the earlier tick of two Spring expressions,
 * one for each day field;</li>
 * <li>a time that the start of daylight saving skips runs that much later (02:30 on a spring-forward night runs at
 * 03:30), as cron does, where Spring skips that day; a time its end repeats runs once.</li>
 * </ol>
 * Each difference has its test in {@code CronExpressionTest}.
 */
public final class CronExpression {

    private final String source;
    private final org.springframework.scheduling.support.CronExpression expression;
    /** With both day fields restricted: the expression of the day-of-week field (the other has day-of-month). */
    private final org.springframework.scheduling.support.@Nullable CronExpression orDayOfWeek;

    private CronExpression(String source, org.springframework.scheduling.support.CronExpression expression,
            org.springframework.scheduling.support.@Nullable CronExpression orDayOfWeek) {
        this.source = source;
        this.expression = expression;
        this.orDayOfWeek = orDayOfWeek;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static CronExpression parse(String expression) {
        String trimmed = expression.trim();
        String[] fields = trimmed.split("\\s+");
        if (fields.length == 5) {
            fields = ("0 " + trimmed).split("\\s+");
        }
        try {
            if (fields.length == 6 && restricted(fields[3]) && restricted(fields[5])) {
                return new CronExpression(trimmed, spring(fields, 5), spring(fields, 3));
            }
            return new CronExpression(trimmed, org.springframework.scheduling.support.CronExpression
                    .parse(String.join(" ", fields)), null);
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("'" + expression + "' is not a cron expression (6 fields: second "
                    + "minute hour day-of-month month day-of-week, or 5 without the seconds, or a macro such as "
                    + "@hourly): " + ex.getMessage(), ex);
        }
    }

    /** The expression with one day field left free ({@code *}). */
    private static org.springframework.scheduling.support.CronExpression spring(String[] fields, int freeDayField) {
        String[] copy = fields.clone();
        copy[freeDayField] = "*";
        return org.springframework.scheduling.support.CronExpression.parse(String.join(" ", copy));
    }

    private static boolean restricted(String dayField) {
        return !dayField.equals("*") && !dayField.equals("?");
    }

    /**
     * The first time strictly after {@code after} that matches, in {@code zone}; null if none. Evaluated on the
     * zone's wall clock, as cron does: a time the start of daylight saving skips runs that much later (Spring, on
     * zoned times, would skip the day), and walking the wall clock forward never meets a repeated time twice.
     */
    public @Nullable Instant next(Instant after, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(after, zone);
        for (int i = 0; i < 1_000; i++) { // more than one step only around a daylight-saving change
            LocalDateTime next = earliest(local);
            if (next == null) {
                return null;
            }
            Instant instant = ZonedDateTime.ofLocal(next, zone, null).toInstant();
            if (instant.isAfter(after)) {
                return instant;
            }
            local = next;
        }
        return null;
    }

    private @Nullable LocalDateTime earliest(LocalDateTime after) {
        LocalDateTime next = expression.next(after);
        if (orDayOfWeek != null) {
            LocalDateTime other = orDayOfWeek.next(after);
            if (next == null || other != null && other.isBefore(next)) {
                next = other;
            }
        }
        return next;
    }

    @Override
    public String toString() {
        return source;
    }
}
