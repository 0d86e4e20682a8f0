package dev.taskqueue.client;

import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TransactionMode;
import org.jspecify.annotations.Nullable;

/**
 * Where a submission goes when the thread making it is inside a transaction: the client asks before each submit.
 * The Spring Boot auto-configuration provides the implementation that knows Spring's transactions; without one,
 * every submission is sent at once.
 */
@FunctionalInterface
public interface SubmitTransactions {

    /** No transactions: every submission is sent at once. */
    SubmitTransactions NONE = mode -> null;

    /**
     * The transaction a submission made now waits for, or null to send it at once (no transaction is active, or the
     * mode is {@link TransactionMode#IMMEDIATE}).
     *
     * @param mode the call's mode, or null for the application's default
     */
    @Nullable
    Pending current(@Nullable TransactionMode mode);

    /** A transaction's submissions, held until it ends. */
    @FunctionalInterface
    interface Pending {

        /**
         * Whether the submission's messages must be deduplicated by id: true when it may be written more than once
         * (the outbox relay retries), so that Redis stores each task once.
         */
        default boolean replayed() {
            return false;
        }

        /**
         * Whether the calling thread runs the transaction that holds these submissions: waiting there for one of
         * them to finish cannot succeed (it is sent when that transaction commits).
         */
        default boolean heldByCurrentThread() {
            return false;
        }

        /**
         * Holds the submission until the transaction ends: it is written to Redis if the transaction commits, and
         * dropped if it rolls back.
         *
         * @return completes once Redis has the submission, with what Redis made of it; fails with
         *         {@link dev.taskqueue.TaskNotSentException} when it will not be sent
         */
        CompletableFuture<SentSubmission> add(Submission submission);
    }
}
