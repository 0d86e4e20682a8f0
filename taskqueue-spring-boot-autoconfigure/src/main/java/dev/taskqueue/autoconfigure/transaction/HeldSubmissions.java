package dev.taskqueue.autoconfigure.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The submissions one transaction holds until it ends, each with the future its handles' {@code sent()} follow;
 * bound to the transaction under a key, so that every submit of the transaction joins them. Subclasses say what
 * happens at the commit: {@link AfterCommitSubmissions} writes them to Redis, the outbox writes them to its table.
 *
 * <p>A savepoint that rolls back (a {@code NESTED} transaction) drops the submissions made since it. Once the
 * submissions are written (the commit has begun), the holder takes no more: a submit made later, from another
 * synchronization's commit callback, is not held ({@link #isHolding()}).
 */
public abstract class HeldSubmissions implements SubmitTransactions.Pending, TransactionSynchronization {

    private final Object key;
    private final Thread owner = Thread.currentThread();
    private final List<Submission> submissions = new ArrayList<>();
    private final List<CompletableFuture<SentSubmission>> sent = new ArrayList<>();
    private final List<Integer> savepoints = new ArrayList<>();
    private boolean holding = true;
    private @Nullable Throwable writeFailure;

    protected HeldSubmissions(Object key) {
        this.key = key;
    }

    /**
     * The current transaction's held submissions under {@code key}: joined, or begun and registered with it; null when
     * the transaction's submissions are written already (a submit from a commit callback goes at once).
     */
    public static <T extends HeldSubmissions> @Nullable T join(Object key, Class<T> type, Supplier<T> begin) {
        T current = type.cast(TransactionSynchronizationManager.getResource(key));
        if (current == null) {
            current = begin.get();
            TransactionSynchronizationManager.bindResource(key, current);
            TransactionSynchronizationManager.registerSynchronization(current);
        }
        return current.isHolding() ? current : null;
    }

    @Override
    public synchronized CompletableFuture<SentSubmission> add(Submission submission) {
        if (!holding) {
            throw new IllegalStateException("This transaction's submissions are written already: submit this task "
                    + "from a new transaction, or with TransactionMode.IMMEDIATE");
        }
        submissions.add(submission);
        CompletableFuture<SentSubmission> future = new CompletableFuture<>();
        sent.add(future);
        return future;
    }

    @Override
    public boolean heldByCurrentThread() {
        return Thread.currentThread() == owner && isHolding();
    }

    /** Whether submits still join these (the transaction's submissions are not written yet). */
    protected synchronized boolean isHolding() {
        return holding;
    }

    /** Stops holding: the submissions are being written; those made from now on go otherwise. */
    protected synchronized void stopHolding() {
        holding = false;
    }

    /** Remembers why writing failed (before the commit): the futures then fail with it as their cause. */
    protected synchronized void writeFailed(Throwable failure) {
        writeFailure = failure;
    }

    /** Every held submission made one, in submit order; null when none was made. */
    protected synchronized @Nullable Submission all() {
        Submission all = null;
        for (Submission submission : submissions) {
            all = all == null ? submission : all.then(submission);
        }
        return all;
    }

    /** The held submissions, in submit order. */
    protected synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    /** Their futures, in the same order. */
    protected synchronized List<CompletableFuture<SentSubmission>> futures() {
        return List.copyOf(sent);
    }

    /** Fails every held submission's future: its tasks will not be sent, for this reason. */
    protected void fail(String why, @Nullable Throwable cause) {
        fail(submissions(), futures(), why, cause);
    }

    private static void fail(List<Submission> submissions, List<CompletableFuture<SentSubmission>> futures,
            String why, @Nullable Throwable cause) {
        List<String> ids = new ArrayList<>();
        submissions.forEach(submission -> ids.addAll(submission.taskIds()));
        TaskNotSentException failure = new TaskNotSentException(ids, "Tasks " + ids + " were not sent: " + why,
                cause);
        futures.forEach(future -> future.completeExceptionally(failure));
    }

    /** Fails the futures when the transaction did not commit. */
    protected void failUnlessCommitted(int status) {
        Throwable cause;
        synchronized (this) {
            cause = writeFailure;
        }
        if (status == STATUS_ROLLED_BACK) {
            fail(cause != null ? "their transaction rolled back, as writing them failed: " + cause : "their "
                    + "transaction rolled back", cause);
        }
        else if (status == STATUS_UNKNOWN) {
            fail("their transaction ended in an unknown state (its commit may or may not have happened)", cause);
        }
    }

    @Override
    public synchronized void savepoint(Object savepoint) {
        savepoints.add(submissions.size());
    }

    /** A nested transaction rolled back: the submissions it made are dropped, and their futures fail. */
    @Override
    public void savepointRollback(Object savepoint) {
        List<Submission> dropped;
        List<CompletableFuture<SentSubmission>> droppedFutures;
        synchronized (this) {
            if (savepoints.isEmpty()) {
                return;
            }
            int mark = savepoints.remove(savepoints.size() - 1);
            dropped = new ArrayList<>(submissions.subList(mark, submissions.size()));
            droppedFutures = new ArrayList<>(sent.subList(mark, sent.size()));
            submissions.subList(mark, submissions.size()).clear();
            sent.subList(mark, sent.size()).clear();
        }
        fail(dropped, droppedFutures, "the nested transaction (savepoint) they were made in rolled back", null);
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
        stopHolding();
    }
}
