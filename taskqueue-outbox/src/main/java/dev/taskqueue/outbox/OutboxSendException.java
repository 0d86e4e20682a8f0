package dev.taskqueue.outbox;

/**
 * A {@link RowSender} failed a whole round (Redis down, most likely): the round rolled back, and its rows stay pending.
 * It tells the relay's log apart from a database failure.
 */
public final class OutboxSendException extends RuntimeException {

    OutboxSendException(RuntimeException cause) {
        super("The outbox relay could not send its rows: " + cause.getMessage(), cause);
    }
}
