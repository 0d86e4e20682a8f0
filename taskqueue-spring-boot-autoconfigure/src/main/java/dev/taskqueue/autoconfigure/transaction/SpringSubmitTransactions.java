package dev.taskqueue.autoconfigure.transaction;

import dev.taskqueue.TransactionMode;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells the client whether a submission waits for the Spring-managed transaction of the calling thread, by the call's
 * {@link TransactionMode} or the application's ({@code taskqueue.submit.transactions}): {@code after-commit}
 * submissions of a transaction are held by one {@link AfterCommitSubmissions}, {@code outbox} ones go to the outbox.
 * Outside a transaction (none active, or one without synchronization) every submission is sent at once.
 */
public final class SpringSubmitTransactions implements SubmitTransactions {

    private final TransactionMode defaultMode;
    private final SubmissionSender sender;
    private final @Nullable OutboxSubmitTransactions outbox;

    /**
     * @param defaultMode the mode of calls that set none
     * @param sender writes an after-commit transaction's submissions to Redis
     * @param outbox where {@code outbox} submissions go, or null when the application has no outbox
     */
    public SpringSubmitTransactions(TransactionMode defaultMode, SubmissionSender sender,
            @Nullable OutboxSubmitTransactions outbox) {
        this.defaultMode = defaultMode;
        this.sender = sender;
        this.outbox = outbox;
    }

    @Override
    public @Nullable Pending current(@Nullable TransactionMode mode) {
        TransactionMode effective = mode != null ? mode : defaultMode;
        if (effective == TransactionMode.IMMEDIATE || !TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.isActualTransactionActive()) {
            return null;
        }
        if (effective == TransactionMode.OUTBOX) {
            if (outbox == null) {
                throw new IllegalStateException("A task was submitted in outbox mode, but this application has no "
                        + "outbox: set taskqueue.outbox.enabled=true (or taskqueue.submit.transactions=outbox), with "
                        + "one DataSource bean and the taskqueue-outbox module (part of "
                        + "taskqueue-spring-boot-starter); or use after-commit");
            }
            return outbox.current();
        }
        return AfterCommitSubmissions.of(this, sender); // null once written: a commit callback's submit goes at once
    }
}
