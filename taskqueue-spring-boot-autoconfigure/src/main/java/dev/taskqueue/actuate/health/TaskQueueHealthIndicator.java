package dev.taskqueue.actuate.health;

import java.util.function.Supplier;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code taskqueue} health component: UP when the broker answers a ping, DOWN when it does not (tasks can be
 * neither submitted nor run). Its details name the broker and, when this application runs a worker, the worker's
 * id, state and running tasks.
 */
public class TaskQueueHealthIndicator extends AbstractHealthIndicator {

    private final Broker broker;
    private final String brokerDescription;
    private final Supplier<@Nullable Worker> worker;

    /**
     * @param broker the broker to ping
     * @param brokerDescription what the broker is, such as {@code redis 127.0.0.1:6379}
     * @param worker this application's worker, or null when it runs none (or has not started it yet)
     */
    public TaskQueueHealthIndicator(Broker broker, String brokerDescription, Supplier<@Nullable Worker> worker) {
        super("taskqueue health check failed");
        this.broker = broker;
        this.brokerDescription = brokerDescription;
        this.worker = worker;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("broker", brokerDescription);
        if (broker.ping()) {
            builder.up();
        }
        else {
            builder.down().withDetail("error", "The broker (" + brokerDescription + ") does not answer: tasks can "
                    + "be neither submitted nor run. Check that Redis runs and that spring.data.redis.* points at it.");
        }
        Worker current = worker.get();
        if (current != null) {
            builder.withDetail("worker", current.id())
                    .withDetail("workerState", current.state().name())
                    .withDetail("activeTasks", current.activeTasks());
        }
    }
}
