package dev.taskqueue.testing;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * One real {@code redis-server} per test JVM, on a free loopback port: the one on the PATH, else the binary that
 * embedded-redis ships. Tests share it and call {@link #flush()} to start from an empty database.
 */
public final class SharedRedis {

    private static LocalRedisServer server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> admin;

    private SharedRedis() {
    }

    /** The server, started on first use. */
    public static synchronized LocalRedisServer server() {
        if (server == null) {
            server = LocalRedisServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (client != null) {
                    client.shutdown();
                }
                server.close();
            }));
        }
        return server;
    }

    public static int port() {
        return server().port();
    }

    /** A Lettuce client for the server. */
    public static synchronized RedisClient client() {
        if (client == null) {
            client = RedisClient.create(server().uri());
        }
        return client;
    }

    /** A string connection for tests to look at keys. */
    public static synchronized StatefulRedisConnection<String, String> admin() {
        if (admin == null || !admin.isOpen()) {
            admin = client().connect();
        }
        return admin;
    }

    /**
     * How many times the server has run {@code command} (lower case, as {@code INFO commandstats} names it), the
     * calls made by scripts included: a test counts what an operation costs Redis by the difference.
     */
    public static long calls(String command) {
        String prefix = "cmdstat_" + command + ":";
        for (String line : admin().sync().info("commandstats").split("\\r?\\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return 0;
    }

    /**
     * A counter of {@code INFO stats}, such as {@code total_net_input_bytes} (what the server read from its clients so
     * far): a test measures what an operation sent or received by the difference.
     */
    public static long stat(String name) {
        String prefix = name + ":";
        return admin().sync().info("stats").lines().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> Long.parseLong(line.substring(prefix.length()).trim()))
                .orElseThrow(() -> new AssertionError("no " + name + " in INFO stats"));
    }

    /** Empties the database. */
    public static void flush() {
        admin().sync().flushall();
    }
}
