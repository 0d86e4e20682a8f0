package dev.taskqueue.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskQueueException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce connections taskqueue uses, made from one client (Spring's, so that {@code spring.data.redis.*}
 * decides standalone, Sentinel or Cluster, TLS and credentials):
 * <ul>
 * <li>one shared connection for every non-blocking command (Lettuce pipelines concurrent commands on it);</li>
 * <li>a dedicated connection per blocking reader, never the shared one;</li>
 * <li>one publish/subscribe connection for notifications ({@link RedisSubscriptions}).</li>
 * </ul>
 * The shared connection is opened on first use, and again after a failed attempt, so that an application starts
 * while Redis is down and works once it is back. A connection found cut off is replaced by a new one if Redis
 * answers (commands fail fast meanwhile instead of waiting in the cut-off connection's buffer), and closed: left
 * open, it would reconnect by itself, replay the commands it buffered and stay connected, unused. Through Sentinel,
 * every connection is closed when the master is switched ({@link #followSentinel(RedisURI)}), so that each is opened
 * again on the new master.
 */
public final class RedisConnections implements AutoCloseable {

    /** How much longer than the client's connect timeout a connection may take before it is given up. */
    static final Duration CONNECT_GRACE = Duration.ofSeconds(2);

    /** How often a connection being made checks that its client is still the current one. */
    private static final long CONNECT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Supplier<AbstractRedisClient> client;
    private final @Nullable AbstractRedisClient ownedClient;
    private final String description;
    private volatile @Nullable StatefulConnection<byte[], byte[]> shared;
    /** The dedicated and publish/subscribe connections handed out and not yet closed, for {@link #reconnectAll()}. */
    private final Set<StatefulConnection<byte[], byte[]>> handedOut = ConcurrentHashMap.newKeySet();
    private final RedisSubscriptions subscriptions = new RedisSubscriptions(this);
    private volatile @Nullable SentinelWatch sentinelWatch;
    private volatile boolean closed;

    private RedisConnections(Supplier<AbstractRedisClient> client, @Nullable AbstractRedisClient ownedClient,
            String description) {
        this.client = client;
        this.ownedClient = ownedClient;
        this.description = description;
    }

    /**
     * Connections from a client someone else owns.
     *
     * @param description how errors name the server, such as {@code localhost:6379}
     */
    public static RedisConnections using(AbstractRedisClient client, String description) {
        return new RedisConnections(() -> client, null, description);
    }

    /**
     * Connections from whatever client {@code client} returns at the time of each (re)connection: Spring's
     * {@code LettuceConnectionFactory} replaces its client when it is stopped and started again, and connections
     * of the old client close with it.
     *
     * @param description how errors name the server, such as {@code localhost:6379}
     */
    public static RedisConnections using(Supplier<AbstractRedisClient> client, String description) {
        return new RedisConnections(client, null, description);
    }

    /** Connections to {@code uri} from a client of their own, shut down by {@link #close()}. */
    public static RedisConnections create(RedisURI uri) {
        RedisClient owned = RedisClient.create(uri);
        return new RedisConnections(() -> owned, owned, uri.getHost() + ":" + uri.getPort());
    }

    /**
     * Follows the master switches of the Sentinel that {@code uri} names (its sentinels and master name, as the client
     * connects through): at a switch every connection is closed, and opened again through Sentinel, on the new
     * master, at its next use. Otherwise, after a {@code SENTINEL FAILOVER}, connections stay on the old master until
     * Sentinel turns it into a replica (some 10 s), and what they write there meanwhile is erased by its resync. A
     * no-op unless the client is a {@code RedisClient} and {@code uri} names sentinels.
     */
    public RedisConnections followSentinel(RedisURI uri) {
        if (client.get() instanceof RedisClient redisClient && !uri.getSentinels().isEmpty()) {
            synchronized (this) {
                if (sentinelWatch == null) {
                    sentinelWatch = new SentinelWatch(redisClient, uri, this::reconnectAll);
                }
            }
        }
        return this;
    }

    /**
     * Closes every connection: their users open them again on next use (commands in flight fail as if Redis were
     * unreachable; workers retry).
     */
    void reconnectAll() {
        closeIfOpen(shared);
        handedOut.forEach(RedisConnections::closeIfOpen);
    }

    /** Keeps {@code connection} for {@link #reconnectAll()}, and forgets those closed since. */
    private <C extends StatefulConnection<byte[], byte[]>> C handOut(C connection) {
        handedOut.removeIf(RedisConnections::isClosed);
        handedOut.add(connection);
        return connection;
    }

    /** Whether {@code connection} was closed (not merely cut off): closing it again would only log a warning. */
    static boolean isClosed(StatefulConnection<?, ?> connection) {
        return connection instanceof RedisChannelHandler<?, ?> handler && handler.isClosed();
    }

    /** Closes {@code connection} unless it is closed already (Lettuce warns of a second close). */
    static void closeIfOpen(@Nullable StatefulConnection<?, ?> connection) {
        if (connection != null && !isClosed(connection)) {
            connection.closeAsync();
        }
    }

    /** Whether the client talks to a Redis Cluster. */
    public boolean isCluster() {
        return client.get() instanceof RedisClusterClient;
    }

    /** Asks a Cluster client to read the cluster's topology again: a slot moved (a failover, a resharding). */
    void refreshTopology() {
        if (client.get() instanceof RedisClusterClient cluster) {
            cluster.refreshPartitionsAsync();
        }
    }

    /** How errors name the server. */
    public String description() {
        return description;
    }

    /** The shared connection's asynchronous commands. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return async(openShared());
    }

    /** The shared connection, connected again if it was closed. */
    private StatefulConnection<byte[], byte[]> openShared() {
        StatefulConnection<byte[], byte[]> connection = shared;
        if (connection == null || !connection.isOpen()) {
            synchronized (this) {
                connection = shared;
                if (connection == null || !connection.isOpen()) {
                    connection = replace(connection, connect("connect to Redis"));
                    shared = connection;
                }
            }
        }
        return connection;
    }

    /**
     * Sends {@code command} on the shared connection, from another thread when that connection is not open: the
     * caller may be Lettuce's event loop (a {@link Combiner} sending the next batch), which must not wait for a new
     * connection to be made.
     */
    <T> CompletableFuture<T> sendFromAnyThread(
            Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletableFuture<T>> command) {
        StatefulConnection<byte[], byte[]> connection = shared;
        if (connection != null && connection.isOpen()) {
            return command.apply(async(connection)); // not commands(): it would connect here if this one just closed
        }
        return CompletableFuture.supplyAsync(() -> command.apply(commands())).thenCompose(reply -> reply);
    }

    /**
     * Writes {@code batch} on the shared connection in one write, as {@link #sendFromAnyThread} sends one command: from
     * another thread when that connection is not open. A command that could not be sent completes with the failure.
     */
    void dispatchFromAnyThread(List<? extends RedisCommand<byte[], byte[], ?>> batch) {
        StatefulConnection<byte[], byte[]> connection = shared;
        if (connection != null && connection.isOpen()) {
            dispatch(connection, batch);
            return;
        }
        CompletableFuture.runAsync(() -> {
            try {
                dispatch(openShared(), batch);
            }
            catch (Throwable notSent) { // every command must end, or its caller waits out its timeout
                batch.forEach(command -> command.completeExceptionally(notSent));
            }
        });
    }

    /**
     * A Cluster connection writes a collection of commands after waiting for each node's connection, which on the
     * event loop (a {@link Combiner}'s next batch) could wait for itself: there, each command goes on its own, as the
     * asynchronous API sends one.
     */
    private static void dispatch(StatefulConnection<byte[], byte[]> connection,
            List<? extends RedisCommand<byte[], byte[], ?>> batch) {
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]>) {
            batch.forEach(connection::dispatch);
        }
        else {
            connection.dispatch(batch);
        }
    }

    /** Whether Redis answers a {@code PING} within 2 s on the shared connection. */
    boolean ping() {
        try {
            return "PONG".equals(await(commands().ping(), "ping", Duration.ofSeconds(2)));
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /** The timeout of the shared connection's commands. */
    Duration timeout() {
        StatefulConnection<byte[], byte[]> connection = shared;
        return connection != null ? connection.getTimeout() : Duration.ofSeconds(60);
    }

    /** The notifications' connection. */
    RedisSubscriptions subscriptions() {
        return subscriptions;
    }

    /**
     * Returns {@code fresh} after closing {@code stale}, a connection that is closed or cut off: left open, a cut-off
     * connection reconnects by itself later, replays the commands it buffered meanwhile and stays connected, unused.
     */
    static <C extends StatefulConnection<byte[], byte[]>> C replace(@Nullable StatefulConnection<byte[], byte[]> stale,
            C fresh) {
        closeIfOpen(stale);
        return fresh;
    }

    /** A new connection for blocking commands; the caller closes it. */
    StatefulConnection<byte[], byte[]> dedicated() {
        return handOut(connect("open a connection for blocking reads"));
    }

    /** A new publish/subscribe connection; the caller closes it. */
    StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
        return handOut(connect("open a publish/subscribe connection",
                current -> current instanceof RedisClusterClient cluster ? cluster.connectPubSub(ByteArrayCodec.INSTANCE)
                        : ((RedisClient) current).connectPubSub(ByteArrayCodec.INSTANCE)));
    }

    static RedisClusterAsyncCommands<byte[], byte[]> async(StatefulConnection<byte[], byte[]> connection) {
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
            return cluster.async();
        }
        return ((StatefulRedisConnection<byte[], byte[]>) connection).async();
    }

    private StatefulConnection<byte[], byte[]> connect(String what) {
        return connect(what, current -> current instanceof RedisClusterClient cluster
                ? cluster.connect(ByteArrayCodec.INSTANCE) : ((RedisClient) current).connect(ByteArrayCodec.INSTANCE));
    }

    /**
     * Opens a connection with {@code how} on the current client, on a thread of its own. Lettuce waits for a
     * connection without a bound, and one asked of a client that is shut down meanwhile (Spring's connection factory,
     * stopped) never comes, which left a worker's fetcher waiting for good: this gives up once the client is no longer
     * the current one or shuts down, and at the latest after the client's connect timeout and {@link #CONNECT_GRACE}.
     * A connection that comes later is closed.
     */
    private <C extends StatefulConnection<byte[], byte[]>> C connect(String what,
            Function<AbstractRedisClient, C> how) {
        checkOpen();
        AbstractRedisClient current = client.get();
        CompletableFuture<C> connected = new CompletableFuture<>();
        Thread connecting = new Thread(() -> {
            try {
                connected.complete(how.apply(current));
            }
            catch (Throwable ex) {
                connected.completeExceptionally(ex);
            }
        }, "taskqueue-connect");
        connecting.setDaemon(true);
        connecting.start();
        Duration bound = current.getOptions().getSocketOptions().getConnectTimeout().plus(CONNECT_GRACE);
        long deadline = System.nanoTime() + bound.toNanos();
        try {
            while (true) {
                long slice = Math.min(CONNECT_CHECK_NANOS, deadline - System.nanoTime());
                try {
                    return connected.get(Math.max(0, slice), TimeUnit.NANOSECONDS);
                }
                catch (TimeoutException notYet) {
                    String hopeless = whyHopeless(current, deadline, bound);
                    if (hopeless != null) {
                        connected.thenAccept(RedisConnections::closeIfOpen);
                        throw unavailable(what, new RedisConnectionException("no connection: " + hopeless));
                    }
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            connected.thenAccept(RedisConnections::closeIfOpen);
            throw unavailable(what, ex);
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof Error error) {
                throw error;
            }
            throw unavailable(what, ex.getCause());
        }
    }

    /** Why a connection asked of {@code asked} and not come yet will not come; null while it still may. */
    private @Nullable String whyHopeless(AbstractRedisClient asked, long deadline, Duration bound) {
        if (!isCurrent(asked)) {
            return "its client was replaced or stopped";
        }
        if (asked.getResources().eventExecutorGroup().isShuttingDown()) {
            return "its client shut down";
        }
        return System.nanoTime() - deadline >= 0 ? "none within " + bound.toMillis() + " ms" : null;
    }

    /** Whether {@code candidate} is still the client to connect with (false: replaced, or none while stopped). */
    private boolean isCurrent(AbstractRedisClient candidate) {
        try {
            return client.get() == candidate;
        }
        catch (RuntimeException stopped) {
            return false;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The taskqueue Redis connections are closed");
        }
    }

    /** Waits for a command's reply, with the connection's timeout, and explains failures. */
    <T> T await(CompletionStage<T> reply, String what) {
        return await(reply, what, timeout());
    }

    <T> T await(CompletionStage<T> reply, String what, Duration timeout) {
        Future<T> future = reply.toCompletableFuture();
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new TaskQueueException("Interrupted while waiting for Redis to " + what, ex);
        }
        catch (TimeoutException ex) {
            future.cancel(true);
            throw unavailable(what, ex);
        }
        catch (CancellationException ex) {
            throw unavailable(what, ex);
        }
        catch (ExecutionException ex) {
            throw translate(what, ex.getCause() != null ? ex.getCause() : ex);
        }
    }

    /**
     * The exception a failed command becomes: {@link BrokerUnavailableException} when Redis cannot serve it for now
     * (unreachable, no answer in time, or an error reply of a {@link TransientState}: loading, read-only replica,
     * ...), naming the state and what to do; a {@link TaskQueueException} when Redis refused the command itself, or
     * when this JVM failed with an {@link Error} handling the reply (out of memory reading a large one): that is no
     * outage, and calling it one would send operators to a Redis that works.
     */
    RuntimeException translate(String what, Throwable cause) {
        if (cause instanceof RedisCommandExecutionException refused) {
            TransientState state = TransientState.of(refused);
            if (state != null) {
                return unavailable(what, state.state(), refused.getMessage(), state.advice(), refused);
            }
            return new TaskQueueException("Redis refused to " + what + ": " + cause.getMessage(), cause);
        }
        if (cause instanceof TaskQueueException tq) {
            return tq;
        }
        if (cause instanceof Error error) {
            return new TaskQueueException("Could not " + what + ": this JVM failed while Redis answered (" + error
                    + "); Redis itself is reachable", error);
        }
        return unavailable(what, cause);
    }

    /**
     * Whether Redis surely did not run the command that failed so: no connection could be made, or Redis refused
     * it in a {@link TransientState} before running it. Not after a timeout or a connection lost once the command
     * was sent: Redis may have run it.
     */
    static boolean surelyNotRun(RuntimeException failure) {
        return failure instanceof BrokerUnavailableException && (failure.getCause() instanceof RedisConnectionException
                || failure.getCause() instanceof RedisCommandExecutionException);
    }

    BrokerUnavailableException unavailable(String what, Throwable cause) {
        return unavailable(what, "is unreachable", reason(cause),
                "Check that it runs and that spring.data.redis.* points at it", cause);
    }

    private BrokerUnavailableException unavailable(String what, String state, String reply, String advice,
            Throwable cause) {
        return new BrokerUnavailableException("Could not " + what + ": Redis at " + description + " " + state + " ("
                + reply + "). " + advice + "; workers retry by themselves.", cause);
    }

    /**
     * Why Redis could not be reached: a connection's own error names the address in Lettuce's words ("Unable to
     * connect to host/&lt;unresolved&gt;:port"), its root cause says what happened ("Connection refused").
     */
    private static String reason(Throwable cause) {
        // Our own wait and Lettuce's command timeout race when both have the same bound: either says the same
        if (cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException) {
            return "no answer in time";
        }
        String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root != cause && root.getMessage() != null ? message + ": " + root.getMessage() : message;
    }

    @Override
    public void close() {
        closed = true;
        SentinelWatch watch = sentinelWatch;
        if (watch != null) {
            watch.close();
        }
        subscriptions.close();
        StatefulConnection<byte[], byte[]> connection = shared;
        shared = null;
        if (connection != null && !isClosed(connection)) {
            connection.close(); // even cut off: it would reconnect by itself
        }
        if (ownedClient != null) {
            ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
