package dev.taskqueue.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The outbox table, on the application's {@link DataSource}:
 * <ol>
 * <li>{@link #add} writes one row in the caller's transaction (a {@code DataSourceTransactionManager}'s or JPA's: both
 * bind the connection this store's {@link JdbcTemplate} uses), so the row commits or rolls back with the user's
 * data;</li>
 * <li>{@link #relayRound} takes committed rows in a transaction of its own, hands them to a {@link RowSender}, and
 * commits the deletion only when they were sent;</li>
 * <li>{@link #stats}, {@link #failed}, {@link #retry} and {@link #delete} serve metrics, health and operators.</li>
 * </ol>
 * Every statement is in {@link OutboxTable}.
 *
 * <p>At least once: a row is deleted in the transaction in which it was sent, so a relay that dies after sending and
 * before committing leaves the row to be sent again; the sender's writes are idempotent (fixed task ids), which makes
 * that exactly once in Redis. Two relays never take the same row: the taking statement skips locked rows.
 */
public class JdbcOutboxStore {

    /** How many characters of a failed row's payload {@link #failed} shows. */
    public static final int PREVIEW_LENGTH = 200;

    /** A relay round's transaction: its own, even if a caller's transaction were open on the thread. */
    private static final TransactionDefinition OWN_TRANSACTION = new DefaultTransactionDefinition(
            TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    private final OutboxTable table;
    private final JdbcTemplate jdbc;
    private final DataSourceTransactionManager transactions;

    /**
     * @param dataSource the application's DataSource, the one its transactions run on
     * @param table the table's name and the database's dialect ({@link OutboxDialect#of(DataSource)})
     */
    public JdbcOutboxStore(DataSource dataSource, OutboxTable table) {
        this.table = table;
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new DataSourceTransactionManager(dataSource);
    }

    /** The table this store writes. */
    public OutboxTable table() {
        return table;
    }

    /** Writes one row in the caller's current transaction (or on its own, auto-committed, outside one). */
    public void add(String payload) {
        jdbc.update(table.insert(), payload);
    }

    /**
     * One relay round, in a transaction of its own: takes up to {@code max} pending rows, oldest first, that no other
     * relay holds, hands them to {@code sender} in id order, puts back those it could never send with their error,
     * and commits. When {@code sender} throws, the round rolls back and every row stays pending.
     *
     * @return how many rows were taken (sent or failed); 0 when none was pending (or all pending rows are held by
     * other relays)
     * @throws OutboxSendException when {@code sender} threw
     * @throws org.springframework.dao.DataAccessException when the database failed
     */
    public int relayRound(int max, RowSender sender) {
        TransactionStatus transaction = transactions.getTransaction(OWN_TRANSACTION);
        int taken;
        try {
            taken = takeAndSend(max, sender);
        }
        catch (RuntimeException | Error ex) {
            rollBack(transaction, ex);
            throw ex;
        }
        transactions.commit(transaction);
        return taken;
    }

    private int takeAndSend(int max, RowSender sender) {
        List<OutboxRow> rows = new ArrayList<>(jdbc.query(table.take(), JdbcOutboxStore::row, max));
        if (rows.isEmpty()) {
            return 0;
        }
        rows.sort(Comparator.comparingLong(OutboxRow::id));
        Map<Long, String> failures;
        try {
            failures = sender.send(List.copyOf(rows));
        }
        catch (RuntimeException ex) {
            throw new OutboxSendException(ex);
        }
        keepFailed(rows, failures);
        return rows.size();
    }

    /**
     * Rolls back a failed round. When the database is down the rollback fails too (the connection is gone, and the
     * database drops the transaction with it): that is kept with the round's failure instead of being logged on every
     * round of an outage.
     */
    private void rollBack(TransactionStatus transaction, Throwable failure) {
        try {
            transactions.rollback(transaction);
        }
        catch (RuntimeException ex) {
            failure.addSuppressed(ex);
        }
    }

    private void keepFailed(List<OutboxRow> rows, Map<Long, String> failures) {
        List<Object[]> kept = new ArrayList<>();
        for (OutboxRow row : rows) {
            String error = failures.get(row.id());
            if (error != null) {
                kept.add(new Object[] { row.id(), row.createdAt().atOffset(ZoneOffset.UTC), row.payload(), error });
            }
        }
        if (!kept.isEmpty()) {
            jdbc.batchUpdate(table.keepFailed(), kept);
        }
    }

    /** Pending and failed counts and the oldest pending row's age, by the database's clock, in one statement. */
    public OutboxStats stats() {
        OutboxStats stats = jdbc.queryForObject(table.stats(), (rs, n) -> {
            Instant oldest = instant(rs, "oldest_pending_at");
            Instant now = instant(rs, "now");
            Duration age = oldest == null || now == null || now.isBefore(oldest) ? Duration.ZERO
                    : Duration.between(oldest, now);
            return new OutboxStats(rs.getLong("pending"), age, rs.getLong("failed"));
        });
        return stats == null ? new OutboxStats(0, Duration.ZERO, 0) : stats;
    }

    /** Up to {@code max} rows the relay gave up on, oldest first. */
    public List<FailedOutboxRow> failed(int max) {
        return jdbc.query(table.failed(), (rs, n) -> new FailedOutboxRow(rs.getLong("id"),
                required(rs, "created_at"), required(rs, "failed_at"), String.valueOf(rs.getString("error")),
                rs.getLong("payload_length"), String.valueOf(rs.getString("payload_preview"))), PREVIEW_LENGTH, max);
    }

    /** Makes a failed row pending again, for the relay's next round; false when no failed row has that id. */
    public boolean retry(long id) {
        return jdbc.update(table.retry(), id) > 0;
    }

    /** Deletes a failed row for good; false when no failed row has that id (pending rows are left to the relay). */
    public boolean delete(long id) {
        return jdbc.update(table.deleteFailed(), id) > 0;
    }

    /** Whether the table exists (and can be read). */
    public boolean tableExists() {
        try {
            jdbc.queryForObject(table.probe(), Long.class);
            return true;
        }
        catch (org.springframework.dao.DataAccessException ex) {
            return false;
        }
    }

    private static OutboxRow row(ResultSet rs, int rowNum) throws SQLException {
        return new OutboxRow(rs.getLong("id"), required(rs, "created_at"), String.valueOf(rs.getString("payload")));
    }

    private static Instant required(ResultSet rs, String column) throws SQLException {
        Instant instant = instant(rs, column);
        if (instant == null) {
            throw new SQLException("The outbox column " + column + " is null where the schema makes it NOT NULL");
        }
        return instant;
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
