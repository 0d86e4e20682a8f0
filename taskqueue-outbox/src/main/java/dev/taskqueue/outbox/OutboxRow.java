package dev.taskqueue.outbox;

import java.time.Instant;

/**
 * A pending outbox row, as the relay hands it to a {@link RowSender}.
 *
 * @param id the row's id: ids grow with insertion, and the relay hands rows over in id order
 * @param createdAt when the row was written, by the database's clock
 * @param payload what the writing transaction stored, opaque to the outbox
 */
public record OutboxRow(long id, Instant createdAt, String payload) {
}
