package dev.taskqueue.dashboard.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.springframework.boot.actuate.audit.listener.AuditApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes each dashboard action as a Spring Boot {@link AuditApplicationEvent}: principal, type (the action, such
 * as {@code TASKQUEUE_QUEUE_PAUSED}) and data {@code {target, count, outcome}}, which the application's
 * {@code AuditEventRepository} stores, as it stores logins.
 */
public final class ActuatorAuditEvents implements Consumer<AuditEntry> {

    private final ApplicationEventPublisher publisher;

    public ActuatorAuditEvents(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void accept(AuditEntry entry) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("target", entry.target());
        data.put("count", entry.count());
        data.put("outcome", entry.outcome());
        publisher.publishEvent(new AuditApplicationEvent(entry.principal(), entry.action(), data));
    }
}
