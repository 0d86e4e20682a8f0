package dev.taskqueue.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A cron expression: six fields ({@code second minute hour day-of-month month day-of-week}, as Spring's) or five
 * (Unix, seconds 0), or a macro ({@code @hourly}, {@code @daily}/{@code @midnight}, {@code @weekly},
 * {@code @monthly}, {@code @yearly}). A field is {@code *} (or {@code ?}), a value, a range {@code a-b}, a step
 * {@code *}{@code /n} or {@code a-b/n}, or a list of those; months and days may be named ({@code JAN},
 * {@code MON}); day-of-week 0 and 7 are Sunday. When both day fields are restricted, a day matching either runs
 * (Unix cron). Times are computed in a time zone; a time that a daylight-saving change skips runs that much later
 * (02:30 on a spring-forward night runs at 03:30), one it repeats runs once.
 */
public final class CronExpression {

    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 0 1 1 *", "@annually", "0 0 0 1 1 *",
            "@monthly", "0 0 0 1 * *", "@weekly", "0 0 0 * * 0", "@daily", "0 0 0 * * *", "@midnight",
            "0 0 0 * * *", "@hourly", "0 0 * * * *");

    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC");

    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String source;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private CronExpression(String source, String[] f) {
        this.source = source;
        this.seconds = parse(f[0], 0, 59, null, "second");
        this.minutes = parse(f[1], 0, 59, null, "minute");
        this.hours = parse(f[2], 0, 23, null, "hour");
        this.daysOfMonth = parse(f[3], 1, 31, null, "day of month");
        this.months = parse(f[4], 1, 12, MONTHS, "month");
        BitSet dow = parse(f[5], 0, 7, DAYS, "day of week");
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        this.daysOfWeek = dow;
        this.anyDayOfMonth = isAny(f[3]);
        this.anyDayOfWeek = isAny(f[5]);
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException saying which field is wrong
     */
    public static CronExpression parse(String expression) {
        String trimmed = expression.trim();
        String expanded = MACROS.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
        String[] fields = expanded.split("\\s+");
        if (fields.length == 5) {
            String[] withSeconds = new String[6];
            withSeconds[0] = "0";
            System.arraycopy(fields, 0, withSeconds, 1, 5);
            fields = withSeconds;
        }
        if (fields.length != 6) {
            throw new IllegalArgumentException("'" + expression + "' is not a cron expression: it needs 6 fields "
                    + "(second minute hour day-of-month month day-of-week) or 5, got " + fields.length);
        }
        return new CronExpression(trimmed, fields);
    }

    /** The first time strictly after {@code after} that matches, in {@code zone}; null if none within 5 years. */
    public @Nullable Instant next(Instant after, ZoneId zone) {
        LocalDateTime t = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        LocalDate limit = t.toLocalDate().plusYears(5);
        while (t.toLocalDate().isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            if (!minutes.get(t.getMinute())) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
                continue;
            }
            if (!seconds.get(t.getSecond())) {
                t = t.plusSeconds(1);
                continue;
            }
            // A time a daylight-saving change skips moves forward by the gap; a repeated one takes its first
            // occurrence (walking local time forward never visits the repeat again).
            Instant instant = ZonedDateTime.ofLocal(t, zone, null).toInstant();
            if (instant.isAfter(after)) {
                return instant;
            }
            t = t.plusSeconds(1);
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean dom = daysOfMonth.get(date.getDayOfMonth());
        boolean dow = daysOfWeek.get(date.getDayOfWeek().getValue() % 7);
        if (anyDayOfMonth && anyDayOfWeek) {
            return true;
        }
        if (anyDayOfMonth) {
            return dow;
        }
        if (anyDayOfWeek) {
            return dom;
        }
        return dom || dow;
    }

    private static boolean isAny(String field) {
        return field.equals("*") || field.equals("?");
    }

    private static BitSet parse(String field, int min, int max, @Nullable List<String> names, String what) {
        BitSet bits = new BitSet(max + 1);
        for (String part : field.split(",")) {
            int step = 1;
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                step = number(part.substring(slash + 1), 1, max, null, what);
                range = part.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max;
            }
            else if (range.contains("-")) {
                String[] ends = range.split("-", 2);
                from = number(ends[0], min, max, names, what);
                to = number(ends[1], min, max, names, what);
                if (from > to) {
                    throw new IllegalArgumentException("the " + what + " range '" + range + "' is backwards");
                }
            }
            else {
                from = number(range, min, max, names, what);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String text, int min, int max, @Nullable List<String> names, String what) {
        String upper = text.toUpperCase(Locale.ROOT);
        if (names != null && names.contains(upper)) {
            return names.indexOf(upper) + (names == MONTHS ? 1 : 0);
        }
        int value;
        try {
            value = Integer.parseInt(text);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + text + "' is not a valid " + what);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("the " + what + " " + value + " is outside " + min + "-" + max);
        }
        return value;
    }

    @Override
    public String toString() {
        return source;
    }
}
