package dev.taskqueue.actuate.view;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The transactional outbox as operators see it (taskqueue-outbox implements it over its table and registers it as a
 * bean): its depth, the rows the relay gave up on, and what an operator does to those. The actuator endpoint and the
 * dashboard show an outbox only when the application has this bean.
 */
public interface OutboxOperations {

    /** The pending and failed counts and the oldest pending row's age, read in one statement. */
    Status status();

    /** Up to {@code max} rows the relay gave up on, oldest first. */
    List<FailedRow> failed(int max);

    /** Makes a failed row pending again, for the relay's next round; false when no failed row has that id. */
    boolean retry(long id);

    /** Deletes a failed row for good; false when no failed row has that id (pending rows are left to the relay). */
    boolean delete(long id);

    /**
     * The outbox's depth.
     *
     * @param pending rows waiting for the relay
     * @param oldestPendingAge how long the oldest pending row has waited; zero when none waits
     * @param failed rows the relay gave up on, which wait for an operator
     * @param table the table's name
     */
    record Status(long pending, Duration oldestPendingAge, long failed, String table) {
    }

    /**
     * A row the relay gave up on.
     *
     * @param id the row's id, for {@link #retry} and {@link #delete}
     * @param createdAt when its transaction wrote it
     * @param failedAt when the relay gave up on it
     * @param error why it could not be sent
     * @param payloadLength the length of its payload, in characters
     * @param tasks the names of the tasks whose messages start in the preview (their arguments may show in it)
     * @param preview the start of its payload (a value: what tasks carry)
     */
    record FailedRow(long id, Instant createdAt, Instant failedAt, String error, long payloadLength,
            List<String> tasks, String preview) {
    }
}
