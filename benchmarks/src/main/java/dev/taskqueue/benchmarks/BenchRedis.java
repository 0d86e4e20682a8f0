package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * The Redis the benchmark runs against:
 * <ul>
 * <li>by default a redis-server of its own on a free loopback port, which it empties between scenarios, measures
 * with redis-benchmark and may restart. Without persistence, or, when a scenario restarts it, with an append-only
 * file synced every second ({@link #DURABLE}): a clean restart then loses nothing Redis acknowledged;</li>
 * <li>or the user's ({@code --redis-uri}), which it never empties, benchmarks or restarts: it deletes only the
 * benchmark's own keys, before and after.</li>
 * </ul>
 */
final class BenchRedis implements AutoCloseable {

    /** The own server's settings when a scenario restarts it. */
    static final List<String> DURABLE = List.of("--appendonly", "yes", "--appendfsync", "everysec");

    /** How long Redis may take to exit on SIGTERM (it writes and syncs the append-only file first). */
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(30);

    private final @Nullable LocalRedisServer server;
    private final RedisURI uri;
    private final String uriText;
    private final String settings;
    final RedisAdmin admin;

    private BenchRedis(@Nullable LocalRedisServer server, String uriText, String settings) {
        this.server = server;
        this.uriText = uriText;
        this.uri = RedisURI.create(uriText);
        this.admin = new RedisAdmin(uri);
        this.settings = server != null ? settings : "yours: appendonly " + admin.config("appendonly")
                + ", appendfsync " + admin.config("appendfsync");
    }

    /** Starts a redis-server of the benchmark's own; {@code durable}: with {@link #DURABLE}. */
    static BenchRedis start(boolean durable) {
        LocalRedisServer server = LocalRedisServer.start(durable ? DURABLE : List.of());
        try {
            return new BenchRedis(server, "redis://127.0.0.1:" + server.port(), durable
                    ? "--save '' " + String.join(" ", DURABLE) : "--save '' --appendonly no");
        }
        catch (RuntimeException ex) {
            server.close();
            throw ex;
        }
    }

    /** The user's Redis, at {@code uri} ({@code redis://[user:password@]host:port[/db]}). */
    static BenchRedis external(String uri) {
        return new BenchRedis(null, uri, "");
    }

    /** Whether the benchmark started this server (so may empty, benchmark and restart it). */
    boolean isOwn() {
        return server != null;
    }

    RedisURI uri() {
        return uri;
    }

    /** The URI as given, with its credentials: for the worker JVMs, which get it in their environment. */
    String uriText() {
        return uriText;
    }

    /** The own server's port. */
    int port() {
        return uri.getPort();
    }

    /** Version, binary or address, and persistence: for the results' environment. */
    String describe() {
        return admin.version() + (server != null ? " " + server.binary() + " on 127.0.0.1:" + server.port()
                : " at " + uri.getHost() + ":" + uri.getPort()) + " (" + settings + ")";
    }

    /** The server's process id, for the CPU meter; -1 when it is not ours (it may run on another machine). */
    long pid() {
        if (server == null) {
            return -1;
        }
        try {
            return admin.pid();
        }
        catch (RuntimeException ex) {
            return -1;
        }
    }

    /** Empties the own server; on the user's, deletes only the benchmark's keys (those of its prefix). */
    void clear() {
        if (server != null) {
            admin.flush();
        }
        else {
            admin.deleteKeys("{" + Engine.PREFIX + ":*");
            admin.deleteKeys("{" + Engine.PREFIX + "}:*");
        }
    }

    /**
     * A clean restart of the own server: SIGTERM (Redis appends and syncs what the append-only file still lacks,
     * then exits), then a new process on the same port and directory, which reloads the file and answers once it
     * has. Only a server that has not exited within {@link #SHUTDOWN_LIMIT} is killed (reported).
     */
    Restart restart() {
        if (server == null) {
            throw new IllegalStateException("the benchmark does not restart a Redis it did not start");
        }
        ProcessHandle process = ProcessHandle.of(admin.pid()).orElseThrow(
                () -> new IllegalStateException("redis-server's process is not visible from here"));
        long sigterm = System.currentTimeMillis();
        process.destroy();
        boolean clean;
        try {
            process.onExit().get(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            clean = true;
        }
        catch (TimeoutException ex) {
            clean = false; // restart() below kills it
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("waiting for redis-server to exit", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Deadline.DidNotFinish("restarting Redis (interrupted)");
        }
        long exited = System.currentTimeMillis();
        server.restart();
        return new Restart(sigterm, exited, System.currentTimeMillis(), clean);
    }

    /**
     * One restart, in epoch milliseconds.
     *
     * @param sigtermAt when SIGTERM was sent
     * @param exitedAt when the process had exited
     * @param upAt when the new process answered (its append-only file loaded)
     * @param clean whether it exited on SIGTERM (false: it was killed after {@link #SHUTDOWN_LIMIT})
     */
    record Restart(long sigtermAt, long exitedAt, long upAt, boolean clean) {
    }

    @Override
    public void close() {
        try {
            if (server == null) {
                clear();
            }
            admin.close();
        }
        finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
