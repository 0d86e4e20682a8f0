package dev.taskqueue;

/**
 * How a submission made inside a Spring-managed transaction goes with it. Outside a transaction every mode sends at
 * once. Set for the application with {@code taskqueue.submit.transactions}, per call with
 * {@link TaskOptions#transactionMode(TransactionMode)}.
 *
 * <table>
 * <caption>What each mode guarantees</caption>
 * <tr><th>mode</th><th>rollback</th><th>the worker sees the data</th><th>the process dies after the commit</th></tr>
 * <tr><td>{@link #AFTER_COMMIT}</td><td>nothing sent</td><td>yes</td><td>the task is lost</td></tr>
 * <tr><td>{@link #OUTBOX}</td><td>nothing sent</td><td>yes</td><td>sent by the relay, exactly once</td></tr>
 * <tr><td>{@link #IMMEDIATE}</td><td>sent anyway</td><td>maybe not yet</td><td>sent already</td></tr>
 * </table>
 */
public enum TransactionMode {

    /**
     * Sent when the transaction commits, in the committing thread, before {@code commit} returns; dropped if it rolls
     * back. The handle is returned at once; {@link TaskHandle#sent()} completes once the task is in Redis. A crash
     * between the commit and the send loses the task: use {@link #OUTBOX} for work that must not be lost.
     */
    AFTER_COMMIT,

    /**
     * Written to the outbox table in the transaction itself, so it commits or rolls back with the application's
     * data; a relay on every instance then moves it to Redis (within milliseconds when this instance committed it)
     * with its fixed task ids, so that a relay that dies half-way and retries stores each task once. Needs a
     * {@code DataSource}, and the transaction to run on it.
     */
    OUTBOX,

    /** Sent at once, as outside a transaction: a rollback does not take it back. */
    IMMEDIATE
}
