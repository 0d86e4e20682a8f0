package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/**
 * Which dead letters of a queue one read returns, and how much of each. However large the letters are, a read
 * holds about {@code maxBytes} at most, plus one letter whose every text is cut to {@code maxTextBytes}: a
 * hundred-megabyte letter is never read whole to list it or to requeue the others.
 *
 * <p>Dead letter ids are stream ids ({@code <ms>-<seq>}, two unsigned 64-bit numbers), ordered as numbers.
 *
 * @param after only letters with a larger id, or null for no lower bound
 * @param before only letters with a smaller id, or null for no upper bound
 * @param oldestFirst the order: oldest first, or newest first
 * @param count at most this many letters
 * @param maxTextBytes each text of a letter (its message, error message, stack trace, reason...) longer than this
 *        in UTF-8 is cut to it, ending with a marker that says how long it was; {@link dev.taskqueue.DeadLetter#messageSize()}
 *        says it of the message too
 * @param maxBytes the read stops once its letters hold this many bytes (with one letter at least), so a read may
 *        return fewer than {@code count} letters before the last one: only an empty read says there are no more
 */
public record DeadLetterRead(@Nullable String after, @Nullable String before, boolean oldestFirst, int count,
        int maxTextBytes, int maxBytes) {

    public DeadLetterRead {
        if (count <= 0 || maxTextBytes < 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("a read of dead letters needs a positive count (" + count
                    + ") and byte bounds (" + maxTextBytes + ", " + maxBytes + ")");
        }
    }

    /** Up to {@code count} letters older than {@code before} (or the newest), newest first. */
    public static DeadLetterRead newestFirst(@Nullable String before, int count, int maxTextBytes, int maxBytes) {
        return new DeadLetterRead(null, before, false, count, maxTextBytes, maxBytes);
    }

    /** Up to {@code count} letters between {@code after} and {@code before} (both left out), oldest first. */
    public static DeadLetterRead oldestFirst(@Nullable String after, @Nullable String before, int count,
            int maxTextBytes, int maxBytes) {
        return new DeadLetterRead(after, before, true, count, maxTextBytes, maxBytes);
    }

    /** Whether a letter of this id is in the read's range; false for an id that is not a stream id. */
    public boolean includes(String id) {
        long[] parts = parse(id);
        return parts != null && (after == null || compare(parts, parse(after)) > 0)
                && (before == null || compare(parts, parse(before)) < 0);
    }

    /** The smallest stream id above {@code id}, or null when it is not a stream id. */
    public static @Nullable String idAfter(String id) {
        long[] parts = parse(id);
        if (parts == null) {
            return null;
        }
        return parts[1] == -1L ? Long.toUnsignedString(parts[0] + 1) + "-0"
                : Long.toUnsignedString(parts[0]) + "-" + Long.toUnsignedString(parts[1] + 1);
    }

    /** Milliseconds and sequence ({@code 5} is {@code 5-0}), or null when {@code id} is not a stream id. */
    private static long @Nullable [] parse(@Nullable String id) {
        if (id == null) {
            return null;
        }
        int dash = id.indexOf('-');
        try {
            return new long[] { Long.parseUnsignedLong(dash < 0 ? id : id.substring(0, dash)),
                    dash < 0 ? 0 : Long.parseUnsignedLong(id.substring(dash + 1)) };
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /** Orders two parsed ids; a bound that is not a stream id leaves nothing on its side. */
    private static int compare(long[] id, long @Nullable [] bound) {
        if (bound == null) {
            return 0;
        }
        int millis = Long.compareUnsigned(id[0], bound[0]);
        return millis != 0 ? millis : Long.compareUnsigned(id[1], bound[1]);
    }
}
