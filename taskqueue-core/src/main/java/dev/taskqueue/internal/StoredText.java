package dev.taskqueue.internal;

import org.jspecify.annotations.Nullable;

/**
 * Texts cut to a number of bytes before they are stored or read back, counted in UTF-8 as Redis stores them. What
 * does not fit is replaced by a marker that says how long the text was, {@code … [cut: 943718 bytes in all]}, and
 * the kept start and the marker fit in the bound together (unless the bound is smaller than the marker). A text
 * that fits is kept as it is. The Redis broker's scripts cut the same way ({@link #LUA_CUT}).
 */
public final class StoredText {

    /** Starts the marker of a cut text; the original size in bytes and {@link #MARKER_END} follow. */
    public static final String MARKER_START = "\u2026 [cut: ";

    /** Ends the marker of a cut text. */
    public static final String MARKER_END = " bytes in all]";

    /**
     * The same cut in Lua, {@code cut(value, max bytes)}, for scripts that store or return texts they read in Redis:
     * it never splits a UTF-8 sequence.
     */
    public static final String LUA_CUT = """
            local function cut(v, n)
              if #v <= n then return v end
              local marker = '%s' .. #v .. '%s'
              local keep = math.max(n - #marker, 0)
              while keep > 0 and string.byte(v, keep + 1) >= 128 and string.byte(v, keep + 1) < 192 do
                keep = keep - 1
              end
              return string.sub(v, 1, keep) .. marker
            end
            """.formatted(MARKER_START, MARKER_END);

    private StoredText() {
    }

    /** {@code text} when it takes at most {@code maxBytes} in UTF-8, else its start and the marker. */
    public static String cut(String text, int maxBytes) {
        if (text.length() <= maxBytes / 3) {
            return text; // fits whatever its characters
        }
        int size = utf8Length(text);
        if (size <= maxBytes) {
            return text;
        }
        String marker = MARKER_START + size + MARKER_END;
        int room = Math.max(maxBytes - utf8Length(marker), 0);
        int end = 0;
        int used = 0;
        while (end < text.length()) {
            int width = width(text, end);
            int bytes = bytes(text, end);
            if (used + bytes > room) {
                break;
            }
            used += bytes;
            end += width;
        }
        return text.substring(0, end) + marker;
    }

    /** {@link #cut(String, int)}, null staying null. */
    public static @Nullable String cutOrNull(@Nullable String text, int maxBytes) {
        return text == null ? null : cut(text, maxBytes);
    }

    /** How many bytes {@code text} takes in UTF-8 (an unpaired surrogate as the one byte of its replacement). */
    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i += width(text, i)) {
            bytes += bytes(text, i);
        }
        return bytes;
    }

    /** The characters of the code point at {@code i}: 2 for a surrogate pair. */
    private static int width(CharSequence text, int i) {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1)) ? 2 : 1;
    }

    /** The UTF-8 bytes of the code point at {@code i}. */
    private static int bytes(CharSequence text, int i) {
        char c = text.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isSurrogate(c)) {
            return width(text, i) == 2 ? 4 : 1;
        }
        return 3;
    }
}
