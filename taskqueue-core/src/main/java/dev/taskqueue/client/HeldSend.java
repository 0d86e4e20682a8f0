package dev.taskqueue.client;

import java.util.concurrent.CompletableFuture;

/**
 * The send of a submission that its transaction holds: completes as the transaction's own future does, and knows the
 * transaction, so that waiting for a held task inside that very transaction fails at once instead of timing out.
 */
final class HeldSend extends CompletableFuture<SentSubmission> {

    private final SubmitTransactions.Pending pending;

    private HeldSend(SubmitTransactions.Pending pending) {
        this.pending = pending;
    }

    /** Hands {@code submission} to the transaction; the returned future follows it. */
    static HeldSend hand(SubmitTransactions.Pending pending, Submission submission) {
        HeldSend send = new HeldSend(pending);
        pending.add(submission).whenComplete((written, failure) -> {
            if (failure != null) {
                send.completeExceptionally(failure);
            }
            else {
                send.complete(written);
            }
        });
        return send;
    }

    /**
     * Throws when {@code sent} is held by the calling thread's own transaction: the task is sent when it commits, so
     * waiting for it there can only time out.
     */
    static void checkNotWaitingInItsTransaction(CompletableFuture<SentSubmission> sent, String what) {
        if (sent instanceof HeldSend held && !held.isDone() && held.pending.heldByCurrentThread()) {
            throw new IllegalStateException("Waiting for " + what + " inside the transaction that submitted it "
                    + "cannot succeed: it is sent when that transaction commits. Wait after the commit, or submit it "
                    + "with TaskOptions.transactionMode(TransactionMode.IMMEDIATE)");
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
