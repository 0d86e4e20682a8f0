package dev.taskqueue.autoconfigure.actuate;

import java.util.LinkedHashSet;
import java.util.Set;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

/** What the endpoint, the health indicator and the meters say about the broker, the worker and the queues. */
final class BrokerDescriptions {

    private BrokerDescriptions() {
    }

    /** {@code redis 127.0.0.1:6379}, or the class of a broker of the application's own. */
    static String describe(Broker broker, ObjectProvider<RedisConnections> connections) {
        if (broker instanceof RedisBroker) {
            RedisConnections redis = connections.getIfAvailable();
            return redis != null ? "redis " + redis.description() : "redis";
        }
        return broker.getClass().getName();
    }

    /**
     * The queues this application's worker consumes; without a running worker, the queues this application
     * declares (its default queue and those of its tasks).
     */
    static Set<String> consumedOrDeclaredQueues(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle,
            TaskRegistry registry) {
        Worker current = worker(lifecycle);
        if (current != null) {
            return new LinkedHashSet<>(current.settings().queueNames());
        }
        return registry.declaredQueues();
    }

    /** This application's worker, or null when it runs none (or has not started it yet). */
    static @Nullable Worker worker(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        TaskQueueWorkerLifecycle found = lifecycle.getIfAvailable();
        return found != null ? found.worker() : null;
    }
}
