package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The harness's own view of the benchmark Redis, outside the engine: empties it between scenarios, reads
 * {@code INFO}, and gives plain commands to what writes into Redis as someone other than taskqueue would
 * ({@link HostileData}).
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

    /** Plain commands on the harness's own connection (string keys and values). */
    RedisCommands<String, String> commands() {
        return redis;
    }

    void flush() {
        redis.flushall();
    }

    /** Deletes the keys that match {@code pattern} ({@code SCAN} then {@code UNLINK}), leaving every other key. */
    long deleteKeys(String pattern) {
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> batch = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1_000));
            List<String> keys = batch.getKeys();
            if (!keys.isEmpty()) {
                deleted += redis.unlink(keys.toArray(String[]::new));
            }
            cursor = batch;
        }
        while (!cursor.isFinished());
        return deleted;
    }

    /** {@code used_memory} from {@code INFO memory}, in bytes. */
    long usedMemory() {
        return Long.parseLong(info("memory", "used_memory"));
    }

    String version() {
        return info("server", "redis_version");
    }

    /** The CPU the server has used so far, and per command ({@code INFO cpu}, {@code INFO commandstats}). */
    RedisCpu cpu() {
        return RedisCpu.parse(redis.info("cpu"), redis.info("commandstats"));
    }

    long pid() {
        return Long.parseLong(info("server", "process_id"));
    }

    /** A setting ({@code CONFIG GET}), or why it cannot be read (a managed Redis may refuse CONFIG). */
    String config(String name) {
        try {
            Map<String, String> values = redis.configGet(name);
            return values.getOrDefault(name, "?");
        }
        catch (RuntimeException ex) {
            return "unknown (" + ex.getMessage() + ")";
        }
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
