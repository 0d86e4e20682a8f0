package dev.taskqueue.dashboard.audit;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each action: in the {@link AuditTrail} (the audit page), to each listener (the Spring Boot audit event),
 * and in the log. A trail that cannot be written (Redis down) does not undo the action: the failure is logged.
 */
public final class AuditRecorder {

    private static final Logger log = LoggerFactory.getLogger(AuditRecorder.class);

    private final AuditTrail trail;
    private final List<Consumer<AuditEntry>> listeners;
    private final Clock clock;

    public AuditRecorder(AuditTrail trail, List<Consumer<AuditEntry>> listeners, Clock clock) {
        this.trail = trail;
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
    }

    /** Records what {@code principal} did (or tried) to {@code target}. */
    public AuditEntry record(String principal, String action, String target, long count, String outcome) {
        AuditEntry entry = new AuditEntry(clock.millis(), principal, action, target, count, outcome);
        log.info("taskqueue dashboard: {} {} {} ({} touched): {}", principal, action, target, count, outcome);
        try {
            trail.add(entry);
        }
        catch (RuntimeException ex) {
            log.warn("Could not store the audit entry {} in Redis; the action stands: {}", entry, ex.toString());
        }
        listeners.forEach(listener -> listener.accept(entry));
        return entry;
    }

    /** The stored entries, newest first. */
    public AuditTrail trail() {
        return trail;
    }
}
