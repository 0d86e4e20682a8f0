package dev.taskqueue.outbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import dev.taskqueue.autoconfigure.transaction.HeldSubmissions;
import dev.taskqueue.autoconfigure.transaction.OutboxSubmitTransactions;
import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Outbox submissions: those a transaction makes are written as ONE row of the outbox table, inside that transaction
 * just before it commits, so that the row commits or rolls back with the application's data and keeps the
 * transaction's order; once it commits, the relay of this instance is woken to move the row to Redis at once.
 * The transaction must run on the outbox's {@code DataSource}: a row written on another connection would commit on
 * its own.
 */
public final class OutboxSubmissions implements OutboxSubmitTransactions {

    private final DataSource dataSource;
    private final JdbcOutboxStore store;
    private final OutboxSentTracker tracker;
    private final Runnable wakeRelay;

    /**
     * @param wakeRelay wakes this instance's relay (nothing when it has none)
     */
    public OutboxSubmissions(DataSource dataSource, JdbcOutboxStore store, OutboxSentTracker tracker,
            Runnable wakeRelay) {
        this.dataSource = dataSource;
        this.store = store;
        this.tracker = tracker;
        this.wakeRelay = wakeRelay;
    }

    @Override
    public SubmitTransactions.@Nullable Pending current() {
        if (TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
            throw new IllegalStateException("A task was submitted in outbox mode inside a read-only transaction, "
                    + "which cannot write its outbox row: submit it from a read-write transaction, or with "
                    + "TransactionMode.AFTER_COMMIT");
        }
        if (!TransactionSynchronizationManager.hasResource(dataSource)) {
            throw new IllegalStateException("A task was submitted in outbox mode inside a transaction that does not "
                    + "run on the outbox's DataSource, so its outbox row would not commit with the transaction: "
                    + "submit it in a transaction of that DataSource's transaction manager (JDBC or JPA), or use "
                    + "after-commit");
        }
        return HeldSubmissions.join(this, HeldRow.class, () -> new HeldRow(this));
    }

    @Override
    public boolean awaitSent(Duration timeout) {
        return tracker.awaitNoneWaiting(timeout);
    }

    /**
     * One transaction's outbox submissions: one row, written just before the commit. A submit made after that and
     * before the commit (from another synchronization's beforeCommit) gets a row of its own at once; one made after
     * the commit is sent at once.
     */
    private final class HeldRow extends HeldSubmissions {

        private boolean rowWritten;

        HeldRow(Object key) {
            super(key);
        }

        @Override
        public synchronized CompletableFuture<SentSubmission> add(Submission submission) {
            CompletableFuture<SentSubmission> future = super.add(submission);
            if (rowWritten) {
                store.add(SubmissionJson.write(submission)); // still inside the transaction
                tracker.await(submission, future);
            }
            return future;
        }

        @Override
        public boolean replayed() {
            return true; // a relay that dies before deleting its row sends it again
        }

        /** Writes the row while the transaction can still take it (a failure here rolls it back). */
        @Override
        public void beforeCommit(boolean readOnly) {
            synchronized (this) {
                Submission all = all();
                try {
                    if (all != null) {
                        store.add(SubmissionJson.write(all));
                    }
                }
                catch (RuntimeException ex) {
                    writeFailed(ex); // the transaction rolls back; the handles say why
                    throw ex;
                }
                rowWritten = true;
                // Followed from now, before the commit makes the row visible to a relay (which may be quick).
                List<Submission> submissions = submissions();
                List<CompletableFuture<SentSubmission>> futures = futures();
                for (int i = 0; i < submissions.size(); i++) {
                    tracker.await(submissions.get(i), futures.get(i));
                }
            }
        }

        @Override
        public void afterCommit() {
            stopHolding();
        }

        @Override
        public void afterCompletion(int status) {
            unbind();
            if (status == STATUS_COMMITTED) {
                if (all() != null) {
                    wakeRelay.run();
                }
            }
            else {
                submissions().forEach(tracker::forget);
            }
            failUnlessCommitted(status);
        }
    }
}
