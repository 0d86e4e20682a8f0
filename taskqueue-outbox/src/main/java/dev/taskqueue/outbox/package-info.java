/**
 * The transactional outbox on the application's database: {@link dev.taskqueue.outbox.JdbcOutboxStore} writes one
 * row per transaction and takes committed rows for {@link dev.taskqueue.outbox.OutboxRelay}, which hands them to a
 * {@link dev.taskqueue.outbox.RowSender} that writes them to Redis. A row's payload is opaque here.
 */
@NullMarked
package dev.taskqueue.outbox;

import org.jspecify.annotations.NullMarked;
