package dev.taskqueue.celery;

import dev.taskqueue.test.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A Redis database of the test JVM's Redis for one test class: Celery's keys have no prefix, so each class that
 * shares Redis with Python works in a database of its own, emptied first.
 */
public final class CeleryRedisSupport implements AutoCloseable {

    private final int database;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    public CeleryRedisSupport(int database) {
        this.database = database;
        this.client = RedisClient.create(RedisURI.builder(TestRedis.uri()).withDatabase(database).build());
        this.connection = client.connect();
        connection.sync().flushdb();
    }

    public int database() {
        return database;
    }

    /** Points {@code spring.data.redis.*} at this database of the test Redis: the Java side shares it with Python. */
    public static void redisProperties(DynamicPropertyRegistry registry, int database) {
        registry.add("spring.data.redis.host", TestRedis::host);
        registry.add("spring.data.redis.port", TestRedis::port);
        registry.add("spring.data.redis.database", () -> database);
    }

    /** The URL Python's broker and backend use: the same database. */
    public String url() {
        return "redis://" + TestRedis.host() + ":" + TestRedis.port() + "/" + database;
    }

    public RedisCommands<String, String> redis() {
        return connection.sync();
    }

    public RedisClient client() {
        return client;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
