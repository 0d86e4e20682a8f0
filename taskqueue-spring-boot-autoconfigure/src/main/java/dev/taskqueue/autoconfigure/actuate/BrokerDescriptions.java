package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.memory.InMemoryBroker;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

/** What the endpoint and the health indicator say about the broker and the worker. */
final class BrokerDescriptions {

    private BrokerDescriptions() {
    }

    /** {@code redis 127.0.0.1:6379}, {@code memory}, or the class of a broker of the application's own. */
    static String describe(Broker broker, ObjectProvider<RedisConnections> connections) {
        if (broker instanceof RedisBroker) {
            RedisConnections redis = connections.getIfAvailable();
            return redis != null ? "redis " + redis.description() : "redis";
        }
        if (broker instanceof InMemoryBroker) {
            return "memory";
        }
        return broker.getClass().getName();
    }

    /** This application's worker, or null when it runs none (or has not started it yet). */
    static @Nullable Worker worker(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        TaskQueueWorkerLifecycle found = lifecycle.getIfAvailable();
        return found != null ? found.worker() : null;
    }
}
