package dev.taskqueue.redis;

import java.util.Comparator;

import org.jspecify.annotations.Nullable;

/**
 * Values read back from Redis, checked before use. Anyone can write into taskqueue's keys (a script of someone
 * else's, a hand-made fix, an older version): one unreadable value must cost only its own entry or field, never the
 * loop that reads it with others. The scripts read the same way ({@code read_int} and {@code read_count} in
 * {@link LuaScript}).
 */
final class RedisValues {

    /** The longest part of a value shown in a message about it. */
    private static final int SHOWN = 40;

    private RedisValues() {
    }

    /**
     * A count written by taskqueue (deliveries, attempts): digits only. A larger one than {@link LuaScript#MAX_COUNT}
     * reads as that, so that limits still apply; -1 when absent or unreadable.
     */
    static int count(@Nullable String value) {
        if (!digits(value)) {
            return -1;
        }
        int first = 0; // leading zeros skipped by hand: a regular expression was compiled for each task claimed
        while (first < value.length() - 1 && value.charAt(first) == '0') {
            first++;
        }
        return value.length() - first > 10 ? LuaScript.MAX_COUNT
                : (int) Math.min(Long.parseLong(value, first, value.length(), 10), LuaScript.MAX_COUNT);
    }

    /** A whole number written by taskqueue, such as epoch milliseconds: {@code otherwise} when absent or unreadable. */
    static long number(@Nullable String value, long otherwise) {
        return value == null ? otherwise : number(value, 0, value.length(), otherwise);
    }

    /** The same, of {@code value} from {@code from} to {@code to}, read in place. */
    private static long number(String value, int from, int to, long otherwise) {
        return to > from && to - from <= 18 && digits(value, from, to) ? Long.parseLong(value, from, to, 10)
                : otherwise;
    }

    /**
     * Stream entry ids in the order of their stream: by time, then by sequence ({@code 9-1} before {@code 10-0}, which
     * text order gets wrong). An unreadable part counts as 0. Read in place: acknowledgements sort every batch.
     */
    static final Comparator<String> ENTRY_ORDER = (a, b) -> {
        int byTime = Long.compare(entryPart(a, true), entryPart(b, true));
        return byTime != 0 ? byTime : Long.compare(entryPart(a, false), entryPart(b, false));
    };

    private static long entryPart(String id, boolean time) {
        int dash = id.indexOf('-');
        if (dash < 0) {
            return time ? number(id, 0, id.length(), 0) : 0;
        }
        return time ? number(id, 0, dash, 0) : number(id, dash + 1, id.length(), 0);
    }

    /** A value as a message shows it: quoted, cut after a few characters. */
    static String shown(String value) {
        return "'" + (value.length() <= SHOWN ? value : value.substring(0, SHOWN) + "...") + "'";
    }

    private static boolean digits(@Nullable String value) {
        return value != null && !value.isEmpty() && digits(value, 0, value.length());
    }

    private static boolean digits(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
