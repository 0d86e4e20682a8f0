package dev.taskqueue.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

/**
 * Puts a real {@code redis-server} in the states in which it refuses commands for a time, with its own commands:
 * loading its data set ({@code DEBUG RELOAD}, slowed per key), busy with a script, a replica; or in which it takes
 * commands and answers none ({@code DEBUG SLEEP}).
 */
public final class RedisStates {

    /**
     * The arguments a server needs for {@link #loading}: {@code DEBUG} allowed, and clients answered (LOADING) after
     * every kilobyte loaded rather than every 2 MB.
     */
    public static final List<String> RELOADABLE = List.of("--enable-debug-command", "yes",
            "--loading-process-events-interval-bytes", "1024");

    private static final int FILLER_KEYS = 200;

    private RedisStates() {
    }

    /** A state the server is in until this is closed. */
    public interface State extends AutoCloseable {

        @Override
        void close();
    }

    /**
     * Makes {@code server} (started with {@link #RELOADABLE}) reload its data set for about {@code duration}: it is
     * given 200 keys of a kilobyte, each loaded after a delay, then {@code DEBUG RELOAD} runs on a connection of its
     * own. Returns once the server answers LOADING; closing waits until it serves again.
     */
    public static State loading(LocalRedisServer server, Duration duration) {
        return enter(server, duration.plusSeconds(30), (client, admin) -> {
            admin.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(
                    StringCodec.UTF8).add("POPULATE").add(FILLER_KEYS).add("taskqueue-test-filler").add(1024));
            admin.configSet("key-load-delay", Long.toString(duration.toNanos() / 1_000 / FILLER_KEYS));
            return new Entered("LOADING", client.connect().async().debugReload().toCompletableFuture(), () -> {
            });
        });
    }

    /**
     * Runs a script on {@code server} (started with {@code --busy-reply-threshold 100}) that loops until it is
     * killed. Returns once the server answers BUSY; closing kills the script ({@code SCRIPT KILL}).
     */
    public static State busy(LocalRedisServer server) {
        return enter(server, Duration.ofSeconds(60), (client, admin) -> new Entered("BUSY", client.connect().async()
                .eval("for i = 1, 1e11 do end return 1", ScriptOutputType.INTEGER).toCompletableFuture(),
                admin::scriptKill));
    }

    /**
     * Holds {@code server} (started with {@link #RELOADABLE}) for {@code duration} with {@code DEBUG SLEEP}: it takes
     * commands and answers none, then runs them. Closing waits until it answers again.
     */
    public static State asleep(LocalRedisServer server, Duration duration) {
        RedisURI uri = server.uri();
        uri.setTimeout(duration.plusSeconds(10));
        RedisClient client = RedisClient.create(uri);
        CompletableFuture<String> sleeping = client.connect().async().dispatch(CommandType.DEBUG,
                new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("SLEEP")
                        .add(Double.toString(duration.toMillis() / 1000.0))).toCompletableFuture();
        sleep(50); // sent before what follows
        return leaving(client, new Entered("SLEEP", sleeping, () -> {
        }), uri.getTimeout());
    }

    /** A state brought about by {@code command}, answered with {@code code} until {@code leave} and its end. */
    private record Entered(String code, CompletableFuture<?> command, Runnable leave) {
    }

    /**
     * Enters a state through a client of its own (whose admin connection is opened first: connecting takes
     * commands too), waits until the server answers with its error, and returns what leaves it.
     */
    private static State enter(LocalRedisServer server, Duration timeout,
            BiFunction<RedisClient, RedisCommands<String, String>, Entered> how) {
        RedisURI uri = server.uri();
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        try {
            RedisCommands<String, String> admin = client.connect().sync();
            Entered entered = how.apply(client, admin);
            awaitError(admin, entered.code(), entered.command());
            return leaving(client, entered, timeout);
        }
        catch (RuntimeException ex) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw ex;
        }
    }

    /** Leaves a state: its {@code leave}, then the end of its command (within {@code timeout}); shuts the client. */
    private static State leaving(RedisClient client, Entered entered, Duration timeout) {
        return () -> {
            try {
                entered.leave().run();
                entered.command().handle((reply, failure) -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (Exception ex) {
                throw new IllegalStateException("redis-server did not leave state " + entered.code(), ex);
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        };
    }

    /** Makes {@code server} a replica of {@code primary} and waits until it has its copy (link up, nothing to load). */
    public static void replicate(LocalRedisServer server, LocalRedisServer primary) {
        RedisClient client = RedisClient.create();
        try {
            client.connect(primary.uri()).sync().configSet("repl-diskless-sync-delay", "0"); // else 5 s
            RedisCommands<String, String> admin = client.connect(server.uri()).sync();
            admin.replicaof("127.0.0.1", primary.port());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            String info = admin.info("replication");
            while (!info.contains("master_link_status:up")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the replica did not connect to its primary in 20 s: " + info);
                }
                sleep(20);
                info = admin.info("replication");
            }
            awaitAnswer(admin);
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** A loopback port on which nothing listens (it was free a moment ago). */
    public static int deadPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Waits until {@code probe} is answered with the error {@code code}, which {@code cause} brings about. */
    private static void awaitError(RedisCommands<String, String> probe, String code, CompletableFuture<?> cause) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (cause.isDone()) {
                throw new IllegalStateException("redis-server was never in state " + code + ": " + cause);
            }
            try {
                probe.ping();
            }
            catch (RedisCommandExecutionException ex) {
                if (ex.getMessage() != null && ex.getMessage().startsWith(code)) {
                    return;
                }
                throw ex;
            }
            sleep(10);
        }
        throw new IllegalStateException("redis-server did not answer " + code + " within 10 s");
    }

    /** Waits until the server answers commands (a replica may load its copy first). */
    private static void awaitAnswer(RedisCommands<String, String> admin) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                admin.ping();
                return;
            }
            catch (RedisCommandExecutionException ex) {
                if (System.nanoTime() > deadline) {
                    throw ex;
                }
                sleep(20);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
