package dev.taskqueue.internal;

import org.jspecify.annotations.Nullable;

/**
 * The characters of the names and ids every stored task carries (its id, its queue), checked by a loop rather than a
 * regular expression: each task a workflow stores is checked, and a regular expression took a sixth of a chord's
 * submit for the ids, then a twentieth for the queue names.
 */
public final class NameCharacters {

    private NameCharacters() {
    }

    /**
     * Whether {@code text} is 1 to {@code maxLength} of {@code [A-Za-z0-9._-]}, and of {@code :} too when
     * {@code colon}.
     */
    public static boolean allowed(@Nullable String text, int maxLength, boolean colon) {
        if (text == null || text.isEmpty() || text.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-' || (colon && c == ':');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
