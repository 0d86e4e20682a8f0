package dev.taskqueue.autoconfigure;

import java.time.Duration;

import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.testing.SharedRedis;

/**
 * Stores of the test's own on the shared test Redis, with connections of their own: to look at Redis after a context
 * closed, or to stand as an application's own {@code RedisStores} bean (or one of its stores). Close it.
 */
public final class SharedRedisStores implements AutoCloseable {

    public final RedisConnections connections = RedisConnections.using(SharedRedis.client(),
            "127.0.0.1:" + SharedRedis.port());

    public final RedisStores stores;

    public final RedisQueueAdmin admin;

    public final RedisResultBackend results;

    /** On the keys of the auto-configuration's default prefix. */
    public SharedRedisStores() {
        this(RedisStores.DEFAULT_KEY_PREFIX);
    }

    public SharedRedisStores(String keyPrefix) {
        stores = new RedisStores(connections, keyPrefix, RedisStores.Options.DEFAULTS.withResultTtl(
                Duration.ofMinutes(1)));
        admin = stores.admin();
        results = stores.results();
    }

    @Override
    public void close() {
        stores.close();
        connections.close();
    }
}
