package dev.taskqueue.autoconfigure;

import java.time.Duration;

import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.testing.SharedRedis;

/**
 * A broker and result backend of the test's own on the shared test Redis, with connections of their own: to look at
 * Redis after a context closed, or to stand as an application's own {@code Broker} bean. Close it.
 */
public final class SharedRedisBroker implements AutoCloseable {

    public final RedisConnections connections = RedisConnections.using(SharedRedis.client(),
            "127.0.0.1:" + SharedRedis.port());

    public final RedisBroker broker;

    public final RedisResultBackend results;

    /** On the keys of the auto-configuration's default prefix. */
    public SharedRedisBroker() {
        this(RedisBroker.DEFAULT_KEY_PREFIX);
    }

    public SharedRedisBroker(String keyPrefix) {
        broker = new RedisBroker(connections, keyPrefix, RedisBroker.DeadLetterPolicy.DEFAULT);
        results = new RedisResultBackend(broker, Duration.ofMinutes(1));
    }

    @Override
    public void close() {
        results.close();
        broker.close();
        connections.close();
    }
}
