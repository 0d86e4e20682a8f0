package dev.taskqueue.dashboard.audit;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Where the dashboard's actions are kept, for the audit page: newest first, bounded in number and age. */
public interface AuditTrail {

    /** Adds an entry. */
    void add(AuditEntry entry);

    /**
     * A page of entries, newest first.
     *
     * @param cursor the {@code next} of the page before, or null for the first
     */
    Page page(@Nullable String cursor, int count);

    /** A page of entries; {@code next} is the cursor of the next page, null on the last. */
    record Page(List<AuditEntry> items, @Nullable String next) {
    }
}
