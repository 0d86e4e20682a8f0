package dev.taskqueue.celery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.taskqueue.BrokerUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;

/**
 * The connections the Celery protocol uses, on the application's Lettuce client: one shared connection for commands
 * (Lettuce pipelines what many threads send on it), and publish/subscribe connections on demand. Keys and values are
 * text: kombu's envelopes and Celery's results are JSON.
 *
 * <p>Celery's transport is a single Redis (kombu has no Redis Cluster transport): a cluster client is refused.
 */
final class CeleryRedis implements AutoCloseable {

    private final Supplier<AbstractRedisClient> client;
    private final int database;
    private final Duration timeout;
    private volatile @Nullable StatefulRedisConnection<String, String> shared;
    private volatile boolean closed;

    /**
     * @param database the database number the client selects, which names Celery's pub/sub channels
     *        ({@code /<db>.celeryev/...})
     */
    CeleryRedis(Supplier<AbstractRedisClient> client, int database, Duration timeout) {
        this.client = client;
        this.database = database;
        this.timeout = timeout;
    }

    int database() {
        return database;
    }

    /** The shared connection's commands. */
    RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> connection = shared;
        if (connection == null || !connection.isOpen()) {
            synchronized (this) {
                connection = shared;
                if (connection == null || !connection.isOpen()) {
                    // A cut-off connection would queue commands until Redis is back: fail fast on a new one instead.
                    if (connection != null) {
                        connection.closeAsync();
                    }
                    try {
                        connection = redisClient("connect to Redis").connect(StringCodec.UTF8);
                    }
                    catch (RedisException ex) {
                        shared = null;
                        throw unavailable("connect", ex);
                    }
                    shared = connection;
                }
            }
        }
        return connection.async();
    }

    /** A new publish/subscribe connection; the caller closes it. */
    StatefulRedisPubSubConnection<String, String> pubSub() {
        try {
            return redisClient("subscribe").connectPubSub(StringCodec.UTF8);
        }
        catch (RuntimeException ex) {
            throw unavailable("open a publish/subscribe connection", ex);
        }
    }

    /** Waits for a reply, within the command timeout. */
    <T> T await(CompletionStage<T> reply, String what) {
        try {
            return reply.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw unavailable(what + " (interrupted)", ex);
        }
        catch (ExecutionException ex) {
            throw unavailable(what, ex.getCause() != null ? ex.getCause() : ex);
        }
        catch (TimeoutException ex) {
            throw unavailable(what + " (no reply within " + timeout.toMillis() + " ms)", ex);
        }
        catch (CancellationException ex) { // its connection was cut off and closed while it waited
            throw unavailable(what + " (the connection was lost)", ex);
        }
    }

    BrokerUnavailableException unavailable(String what, Throwable cause) {
        return new BrokerUnavailableException("Could not " + what + " on the Celery Redis: " + cause.getMessage()
                + ". Check that Redis runs and spring.data.redis.* points at it. A submit that failed so may have "
                + "reached Redis all the same when it timed out: send it again with the same task id if it must not "
                + "run twice.", cause);
    }

    private RedisClient redisClient(String what) {
        if (closed) {
            throw new IllegalStateException("The Celery Redis connections are closed");
        }
        AbstractRedisClient current = client.get();
        if (current instanceof RedisClient redis) {
            return redis;
        }
        throw new IllegalStateException("Cannot " + what + ": Celery's Redis transport runs on one Redis server "
                + "(kombu has no Redis Cluster transport), and the client is a " + current.getClass().getSimpleName()
                + ". Point spring.data.redis.* at a standalone Redis (or Sentinel) shared with the Python side.");
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> connection = shared;
        if (connection != null) {
            connection.closeAsync();
        }
    }

    /** A Lua script, run by its digest (loaded on first use, and again after Redis forgot it). */
    static final class Script {

        private final String source;
        private final String sha;

        Script(String source) {
            this.source = source;
            this.sha = sha1(source);
        }

        <T> T run(CeleryRedis redis, String what, ScriptOutputType type, List<String> keys, List<String> args) {
            String[] k = keys.toArray(String[]::new);
            String[] a = args.toArray(String[]::new);
            RedisAsyncCommands<String, String> commands = redis.commands();
            try {
                return redis.<T>await(commands.evalsha(sha, type, k, a), what);
            }
            catch (BrokerUnavailableException ex) {
                if (!(ex.getCause() instanceof RedisNoScriptException)) {
                    throw ex;
                }
                return redis.<T>await(commands.eval(source, type, k, a), what);
            }
        }

        private static String sha1(String source) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(source.getBytes(StandardCharsets.UTF_8)));
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }
}
