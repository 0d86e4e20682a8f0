package dev.taskqueue.outbox;

import java.time.Instant;

/**
 * A row that could not be sent for good, as operators see it.
 *
 * @param id the row's id, for {@link JdbcOutboxStore#retry(long)} and {@link JdbcOutboxStore#delete(long)}
 * @param createdAt when the row was written
 * @param failedAt when the relay gave up on it
 * @param error why it could not be sent
 * @param payloadLength the payload's length in characters
 * @param payloadPreview the payload's first {@value JdbcOutboxStore#PREVIEW_LENGTH} characters
 */
public record FailedOutboxRow(long id, Instant createdAt, Instant failedAt, String error, long payloadLength,
        String payloadPreview) {
}
