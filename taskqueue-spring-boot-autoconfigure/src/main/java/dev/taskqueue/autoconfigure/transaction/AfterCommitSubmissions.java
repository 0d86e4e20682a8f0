package dev.taskqueue.autoconfigure.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The after-commit submissions of one transaction: held while it runs, written to Redis together (in submit order,
 * one round trip per queue) once it commits, in the committing thread, so that {@code commit} returns with the tasks
 * in Redis; dropped when it rolls back. Each submit's {@link dev.taskqueue.TaskHandle#sent()} completes or fails
 * with the outcome.
 */
final class AfterCommitSubmissions implements SubmitTransactions.Pending, TransactionSynchronization {

    private static final Logger log = LoggerFactory.getLogger(AfterCommitSubmissions.class);

    private final Object key;
    private final SubmissionSender sender;
    private final List<Submission> submissions = new ArrayList<>();
    private final List<CompletableFuture<Void>> sent = new ArrayList<>();
    private boolean written;

    private AfterCommitSubmissions(Object key, SubmissionSender sender) {
        this.key = key;
        this.sender = sender;
    }

    /** The current transaction's after-commit submissions: joined, or begun and registered with it. */
    static AfterCommitSubmissions of(Object key, SubmissionSender sender) {
        AfterCommitSubmissions current = (AfterCommitSubmissions) TransactionSynchronizationManager.getResource(key);
        if (current == null) {
            current = new AfterCommitSubmissions(key, sender);
            TransactionSynchronizationManager.bindResource(key, current);
            TransactionSynchronizationManager.registerSynchronization(current);
        }
        return current;
    }

    @Override
    public synchronized CompletableFuture<Void> add(Submission submission) {
        submissions.add(submission);
        CompletableFuture<Void> future = new CompletableFuture<>();
        sent.add(future);
        return future;
    }

    /** After every other synchronization's commit work, so that what they write is committed too. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void suspend() {
        TransactionSynchronizationManager.unbindResource(key);
    }

    @Override
    public void resume() {
        TransactionSynchronizationManager.bindResource(key, this);
    }

    @Override
    public void afterCommit() {
        write();
    }

    /** Writes the submissions once, whichever of afterCommit and afterCompletion comes first. */
    private void write() {
        Submission all = null;
        synchronized (this) {
            if (written) {
                return;
            }
            written = true;
            for (Submission submission : submissions) {
                all = all == null ? submission : all.then(submission);
            }
        }
        if (all == null) {
            return;
        }
        try {
            sender.send(all);
        }
        catch (RuntimeException ex) {
            // The transaction committed: its data stays, and these tasks are lost. Say which, loudly.
            log.error("Tasks {} were submitted in a transaction that committed, but Redis could not take them, so they "
                    + "will not run: {}. Submit them again, or use the outbox (taskqueue.submit.transactions=outbox) "
                    + "for work that must survive a Redis outage or a crash at the commit", all.taskIds(),
                    ex.toString());
            fail("Redis could not take the tasks after their transaction committed: " + ex.getMessage(), ex);
            return;
        }
        sent.forEach(future -> future.complete(null));
    }

    @Override
    public void afterCompletion(int status) {
        TransactionSynchronizationManager.unbindResourceIfPossible(key);
        if (status == STATUS_COMMITTED) {
            write(); // in case another synchronization's afterCommit threw before ours ran
        }
        else {
            fail(status == STATUS_ROLLED_BACK ? "their transaction rolled back"
                    : "their transaction ended in an unknown state", null);
        }
    }

    private void fail(String why, @Nullable Throwable cause) {
        List<String> ids = new ArrayList<>();
        synchronized (this) {
            submissions.forEach(submission -> ids.addAll(submission.taskIds()));
        }
        TaskNotSentException failure = new TaskNotSentException(ids, "Tasks " + ids + " were not sent: " + why,
                cause);
        sent.forEach(future -> future.completeExceptionally(failure));
    }
}
