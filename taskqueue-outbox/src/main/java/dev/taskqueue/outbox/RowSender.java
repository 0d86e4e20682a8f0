package dev.taskqueue.outbox;

import java.util.List;
import java.util.Map;

/**
 * Writes outbox rows to Redis; the relay calls it inside the database transaction that took the rows, so that the
 * rows are deleted only when they were written.
 *
 * <p>At least once: when {@code send} throws, the transaction rolls back and every row is taken again by a later
 * round, so a row may be sent twice. The writes must therefore be idempotent (fixed task ids).
 */
@FunctionalInterface
public interface RowSender {

    /**
     * Writes {@code rows} (oldest first) to Redis.
     *
     * @param rows the rows taken by one relay round, in id order; never empty
     * @return the rows that can never be sent (a payload too large, an unknown queue), by id, each with why; they are
     * kept with that error and not retried until an operator asks. An empty map when every row was sent.
     * @throws RuntimeException when the rows cannot be sent now (Redis down): every row stays pending
     */
    Map<Long, String> send(List<OutboxRow> rows);
}
