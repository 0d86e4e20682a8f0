package dev.taskqueue.dashboard.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The audit trail of this instance only, in memory, for an application without Spring Data Redis: the last
 * {@value RedisAuditTrail#MAX_ENTRIES} entries, lost on restart. Its cursor is the index of the next entry.
 */
public final class LocalAuditTrail implements AuditTrail {

    private final Deque<AuditEntry> entries = new ArrayDeque<>();

    @Override
    public synchronized void add(AuditEntry entry) {
        entries.addFirst(entry);
        while (entries.size() > RedisAuditTrail.MAX_ENTRIES) {
            entries.removeLast();
        }
    }

    @Override
    public synchronized Page page(@Nullable String cursor, int count) {
        int from = cursor == null ? 0 : Integer.parseInt(cursor);
        List<AuditEntry> all = new ArrayList<>(entries);
        int to = Math.min(all.size(), from + count);
        return new Page(from >= to ? List.of() : all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
    }
}
