package dev.taskqueue.autoconfigure.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The submissions one transaction holds until it ends, each with the future its handles' {@code sent()} follow;
 * bound to the transaction under a key, so that every submit of the transaction joins them. Subclasses say what
 * happens at the commit: {@link AfterCommitSubmissions} writes them to Redis, the outbox writes them to its table.
 */
public abstract class HeldSubmissions implements SubmitTransactions.Pending, TransactionSynchronization {

    private final Object key;
    private final List<Submission> submissions = new ArrayList<>();
    private final List<CompletableFuture<Void>> sent = new ArrayList<>();

    protected HeldSubmissions(Object key) {
        this.key = key;
    }

    /** The current transaction's held submissions under {@code key}: joined, or begun and registered with it. */
    protected static <T extends HeldSubmissions> T join(Object key, Class<T> type, Supplier<T> begin) {
        T current = type.cast(TransactionSynchronizationManager.getResource(key));
        if (current == null) {
            current = begin.get();
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

    /** Every held submission made one, in submit order; null when none was made. */
    protected synchronized @Nullable Submission all() {
        Submission all = null;
        for (Submission submission : submissions) {
            all = all == null ? submission : all.then(submission);
        }
        return all;
    }

    /** The held submissions, each with its future, in submit order. */
    protected synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    protected synchronized List<CompletableFuture<Void>> futures() {
        return List.copyOf(sent);
    }

    /** Fails every held submission's future: its tasks will not be sent, for this reason. */
    protected void fail(String why, @Nullable Throwable cause) {
        Submission all = all();
        List<String> ids = all == null ? List.of() : all.taskIds();
        TaskNotSentException failure = new TaskNotSentException(ids, "Tasks " + ids + " were not sent: " + why,
                cause);
        futures().forEach(future -> future.completeExceptionally(failure));
    }

    /** Fails the futures when the transaction did not commit. */
    protected void failUnlessCommitted(int status) {
        if (status != STATUS_COMMITTED) {
            fail(status == STATUS_ROLLED_BACK ? "their transaction rolled back"
                    : "their transaction ended in an unknown state", null);
        }
    }

    @Override
    public void suspend() {
        TransactionSynchronizationManager.unbindResource(key);
    }

    @Override
    public void resume() {
        TransactionSynchronizationManager.bindResource(key, this);
    }

    /** Unbinds from the ended transaction; subclasses call it first in {@code afterCompletion}. */
    protected void unbind() {
        TransactionSynchronizationManager.unbindResourceIfPossible(key);
    }
}
