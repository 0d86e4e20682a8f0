package dev.taskqueue.benchmarks;

import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The harness's own view of the benchmark Redis, outside the engine: empties it between scenarios and reads
 * {@code INFO}.
 */
final class RedisAdmin implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    RedisAdmin(RedisURI target) {
        // FLUSHALL of millions of keys takes a while
        RedisURI uri = RedisURI.builder(target).withTimeout(Duration.ofSeconds(60)).build();
        client = RedisClient.create(uri);
        connection = client.connect();
        redis = connection.sync();
    }

    void flush() {
        redis.flushall();
    }

    /** {@code used_memory} from {@code INFO memory}, in bytes. */
    long usedMemory() {
        return Long.parseLong(info("memory", "used_memory"));
    }

    String version() {
        return info("server", "redis_version");
    }

    long pid() {
        return Long.parseLong(info("server", "process_id"));
    }

    private String info(String section, String field) {
        for (String line : redis.info(section).split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalStateException("INFO " + section + " has no field " + field);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
