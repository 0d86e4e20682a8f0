package dev.taskqueue.benchmarks;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisURI;

/**
 * The Redis the benchmark runs against: a redis-server of its own on a free loopback port, without persistence,
 * which it empties between scenarios and measures with redis-benchmark. Scenarios and worker JVMs reach it by its
 * URI.
 */
final class BenchRedis implements AutoCloseable {

    private final LocalRedisServer server;
    private final RedisURI uri;
    private final String uriText;
    final RedisAdmin admin;

    private BenchRedis(LocalRedisServer server, String uriText) {
        this.server = server;
        this.uriText = uriText;
        this.uri = RedisURI.create(uriText);
        this.admin = new RedisAdmin(uri);
    }

    /** Starts a redis-server of the benchmark's own. */
    static BenchRedis start() {
        LocalRedisServer server = LocalRedisServer.start();
        try {
            return new BenchRedis(server, "redis://127.0.0.1:" + server.port());
        }
        catch (RuntimeException ex) {
            server.close();
            throw ex;
        }
    }

    RedisURI uri() {
        return uri;
    }

    /** The URI as given, with its credentials: for the worker JVMs, which get it in their environment. */
    String uriText() {
        return uriText;
    }

    int port() {
        return uri.getPort();
    }

    /** Version, binary, address and persistence: for the results' environment. */
    String describe() {
        return admin.version() + " " + server.binary() + " on 127.0.0.1:" + server.port()
                + " (--save '' --appendonly no)";
    }

    /** The server's process id, for the CPU meter; -1 when it cannot be read. */
    long pid() {
        try {
            return admin.pid();
        }
        catch (RuntimeException ex) {
            return -1;
        }
    }

    /** Empties the server. */
    void clear() {
        admin.flush();
    }

    @Override
    public void close() {
        try {
            admin.close();
        }
        finally {
            server.close();
        }
    }
}
