package dev.taskqueue.autoconfigure.transaction;

import dev.taskqueue.client.SubmitTransactions;
import org.jspecify.annotations.Nullable;

/**
 * The outbox, as {@link SpringSubmitTransactions} sees it: asked only for submissions in {@code outbox} mode made
 * inside a transaction, it writes them to the outbox table in that transaction. The taskqueue-outbox module provides
 * it when the application has a {@code DataSource} and asks for the outbox.
 */
@FunctionalInterface
public interface OutboxSubmitTransactions {

    /**
     * The current transaction's outbox submissions, joined or begun; null once the transaction committed (a submit
     * from a commit callback is sent at once).
     *
     * @throws IllegalStateException when the transaction does not run on the outbox's database, or is read-only
     */
    SubmitTransactions.@Nullable Pending current();
}
