package dev.taskqueue.outbox.health;

import java.time.Duration;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxStats;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code taskqueueOutbox} health component:
 * <ol>
 * <li>DOWN when the outbox table cannot be read (the database is down, or the table is missing): submissions in
 * outbox mode fail with their transaction;</li>
 * <li>OUT_OF_SERVICE when the oldest pending row has waited longer than {@code taskqueue.outbox.max-lag} (the relay
 * cannot keep up, or cannot reach Redis), or when rows failed for good and wait for an operator;</li>
 * <li>UP otherwise.</li>
 * </ol>
 * Its details: the table, pending, oldestPendingAge, failed and maxLag, read in one statement.
 */
public class OutboxHealthIndicator extends AbstractHealthIndicator {

    private final JdbcOutboxStore store;
    private final Duration maxLag;

    public OutboxHealthIndicator(JdbcOutboxStore store, Duration maxLag) {
        super("taskqueue outbox health check failed");
        this.store = store;
        this.maxLag = maxLag;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("table", store.table().name());
        OutboxStats stats;
        try {
            stats = store.stats();
        }
        catch (RuntimeException ex) {
            builder.down().withDetail("error", "The outbox table " + store.table().name() + " cannot be read ("
                    + ex.getMessage() + "): submissions in outbox mode fail. Check the database, and that the table "
                    + "exists (" + store.table().dialect().schemaScript() + ").");
            return;
        }
        builder.up().withDetail("pending", stats.pending()).withDetail("oldestPendingAge",
                stats.oldestPendingAge().toString()).withDetail("failed", stats.failed())
                .withDetail("maxLag", maxLag.toString());
        if (stats.oldestPendingAge().compareTo(maxLag) > 0) {
            builder.status(Status.OUT_OF_SERVICE).withDetail("lagging", "the oldest pending row has waited "
                    + stats.oldestPendingAge() + ", longer than taskqueue.outbox.max-lag: the relay cannot reach "
                    + "Redis or cannot keep up (see the log of the taskqueue-outbox-relay thread)");
        }
        if (stats.failed() > 0) {
            builder.status(Status.OUT_OF_SERVICE).withDetail("failedRows", stats.failed() + " row(s) could not be "
                    + "sent for good: list them with JdbcOutboxStore.failed(), then retry(id) or delete(id)");
        }
    }
}
