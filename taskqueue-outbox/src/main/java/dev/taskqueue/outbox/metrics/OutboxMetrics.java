package dev.taskqueue.outbox.metrics;

import java.time.Duration;
import java.util.function.ToDoubleFunction;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's gauges, tagged with the table's name:
 * <ul>
 * <li>{@value #PENDING}: rows waiting for the relay;</li>
 * <li>{@value #OLDEST_AGE}: how long the oldest of them has waited, in seconds;</li>
 * <li>{@value #FAILED}: rows that could not be sent for good and wait for an operator.</li>
 * </ul>
 * The three read one {@link JdbcOutboxStore#stats()}, taken at most once per {@link #DEFAULT_TTL} however many
 * registries scrape them; when the database cannot be read, the gauges keep the last reading (health says DOWN).
 */
public final class OutboxMetrics implements MeterBinder {

    public static final String PENDING = "taskqueue.outbox.pending";

    public static final String OLDEST_AGE = "taskqueue.outbox.oldest.age";

    public static final String FAILED = "taskqueue.outbox.failed";

    /** How long one reading serves the gauges. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

    private final JdbcOutboxStore store;
    private final long ttlNanos;
    private OutboxStats last = new OutboxStats(0, Duration.ZERO, 0);
    private long readAt;
    private boolean read;

    public OutboxMetrics(JdbcOutboxStore store, Duration ttl) {
        this.store = store;
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, PENDING, "Outbox rows waiting for the relay", null, OutboxStats::pending);
        gauge(registry, OLDEST_AGE, "How long the oldest pending outbox row has waited", "seconds",
                stats -> stats.oldestPendingAge().toNanos() / 1e9);
        gauge(registry, FAILED, "Outbox rows that could not be sent and wait for an operator", null,
                OutboxStats::failed);
    }

    private void gauge(MeterRegistry registry, String name, String description, @Nullable String baseUnit,
            ToDoubleFunction<OutboxStats> value) {
        Gauge.builder(name, this, metrics -> value.applyAsDouble(metrics.stats())).description(description)
                .baseUnit(baseUnit).tag("table", store.table().name()).strongReference(true).register(registry);
    }

    /** The reading, taken again when older than the TTL. */
    synchronized OutboxStats stats() {
        long now = System.nanoTime();
        if (!read || now - readAt >= ttlNanos) {
            read = true;
            readAt = now;
            try {
                last = store.stats();
            }
            catch (RuntimeException ex) {
                log.debug("The outbox gauges keep their last reading: the table cannot be read", ex);
            }
        }
        return last;
    }
}
