package dev.taskqueue.outbox;

import java.util.regex.Pattern;

/**
 * The outbox table's name and dialect, and every statement the outbox runs on it: they are all written here, so that
 * a reader sees at once what the outbox does to the application's database.
 *
 * <p>A row is pending while {@code failed_at} is null (the relay has not given up on it); the schema scripts index
 * that, so that the oldest pending row and the pending count are read from an index.
 *
 * @param name the table's name, a plain SQL identifier
 * @param dialect the database it is on
 */
public record OutboxTable(String name, OutboxDialect dialect) {

    /** The table's name when {@code taskqueue.outbox.table-name} is not set. */
    public static final String DEFAULT_NAME = "taskqueue_outbox";

    /** Letters, digits and underscores, not starting with a digit; at most 50 so that index names fit in 63. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,49}");

    public OutboxTable {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("The outbox table name '" + name + "' is not a plain SQL identifier: "
                    + "use letters, digits and underscores (at most 50, not starting with a digit) in "
                    + "taskqueue.outbox.table-name. It is written into SQL statements, so nothing else is allowed.");
        }
    }

    /** One row per transaction; the id and created_at come from the database. Parameters: payload. */
    String insert() {
        return "INSERT INTO " + name + " (payload) VALUES (?)";
    }

    /**
     * Takes and deletes up to {@code ?} pending rows, oldest first, skipping those another relay holds, in one
     * statement. Parameters: max. Returns id, payload, created_at (in no particular order).
     */
    String take() {
        String pick = "SELECT id FROM " + name + " WHERE failed_at IS NULL ORDER BY id FETCH FIRST ? ROWS ONLY "
                + "FOR UPDATE SKIP LOCKED";
        return switch (dialect) {
            case POSTGRESQL -> "DELETE FROM " + name + " WHERE id IN (" + pick + ") RETURNING id, payload, created_at";
            case H2 -> "SELECT id, payload, created_at FROM OLD TABLE (DELETE FROM " + name + " WHERE id IN (" + pick
                    + "))";
        };
    }

    /**
     * Puts back, in the transaction that took it, a row that can never be sent, with why. Parameters: id,
     * created_at, payload, error.
     */
    String keepFailed() {
        return "INSERT INTO " + name + " (id, created_at, payload, error, failed_at) VALUES (?, ?, ?, ?, "
                + "CURRENT_TIMESTAMP)";
    }

    /** Returns pending, oldest_pending_at (null when none), failed, now (the database's clock). */
    String stats() {
        return "SELECT (SELECT COUNT(*) FROM " + name + " WHERE failed_at IS NULL) AS pending, "
                + "(SELECT created_at FROM " + name + " WHERE failed_at IS NULL ORDER BY id FETCH FIRST 1 ROWS ONLY)"
                + " AS oldest_pending_at, "
                + "(SELECT COUNT(*) FROM " + name + " WHERE failed_at IS NOT NULL) AS failed, "
                + "CURRENT_TIMESTAMP AS now";
    }

    /**
     * The failed rows, oldest first. Parameters: preview length, max. Returns id, created_at, failed_at, error,
     * payload_length, payload_preview.
     */
    String failed() {
        return "SELECT id, created_at, failed_at, error, CHAR_LENGTH(payload) AS payload_length, "
                + "SUBSTRING(payload, 1, ?) AS payload_preview FROM " + name + " WHERE failed_at IS NOT NULL "
                + "ORDER BY id FETCH FIRST ? ROWS ONLY";
    }

    /** Makes a failed row pending again. Parameters: id. */
    String retry() {
        return "UPDATE " + name + " SET error = NULL, failed_at = NULL WHERE id = ? AND failed_at IS NOT NULL";
    }

    /** Deletes a failed row. Parameters: id. */
    String deleteFailed() {
        return "DELETE FROM " + name + " WHERE id = ? AND failed_at IS NOT NULL";
    }

    /** Whether the table exists: fails when it does not. */
    String probe() {
        return "SELECT COUNT(*) FROM " + name + " WHERE 1 = 0";
    }
}
