package dev.taskqueue.dashboard.access;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Who calls the dashboard, and what they may do.
 *
 * @param user the name audits record, or null when the caller is not authenticated
 * @param rights what they may do (admin implies operate, operate implies read)
 */
public record Caller(@Nullable String user, Set<Right> rights) {

    public Caller {
        rights = Set.copyOf(rights);
    }

    /** A caller that is not authenticated: 401 for every page. */
    public static Caller anonymous() {
        return new Caller(null, Set.of());
    }

    /** Whether the caller is authenticated. */
    public boolean authenticated() {
        return user != null;
    }

    /** Whether the caller has this right. */
    public boolean may(Right right) {
        return rights.contains(right);
    }

    /** The rights as the UI names them, in order (read, operate, admin). */
    public List<String> labels() {
        return rights.stream().sorted().map(Right::label).toList();
    }
}
