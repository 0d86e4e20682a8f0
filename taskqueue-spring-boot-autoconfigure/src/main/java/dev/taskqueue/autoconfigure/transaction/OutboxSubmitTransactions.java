package dev.taskqueue.autoconfigure.transaction;

import java.time.Duration;

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
    /**
     * Waits until every submission committed through this instance's outbox is in Redis (or failed for good), at most
     * {@code timeout}. A test reads Redis right after a commit, while the relay may still be moving the row: this
     * lets it see what the transaction submitted (the test support's {@code TaskQueueTester} calls it).
     *
     * @return whether none is left waiting
     */
    default boolean awaitSent(Duration timeout) {
        return true;
    }
}
