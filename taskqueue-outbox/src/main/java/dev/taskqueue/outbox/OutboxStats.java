package dev.taskqueue.outbox;

import java.time.Duration;

/**
 * The outbox's depth, read in one statement.
 *
 * @param pending rows waiting for the relay
 * @param oldestPendingAge how long the oldest pending row has waited, by the database's clock; zero when none waits
 * @param failed rows that could not be sent for good and wait for an operator
 */
public record OutboxStats(long pending, Duration oldestPendingAge, long failed) {
}
