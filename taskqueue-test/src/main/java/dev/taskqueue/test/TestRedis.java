package dev.taskqueue.test;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * The Redis that tests run on: one per test JVM, shared by every test, started on first use.
 *
 * <ol>
 * <li>When the system property {@value #URL_PROPERTY} or the environment variable {@value #URL_VARIABLE} holds a
 * URL ({@code redis://localhost:6379/5}), that server, which the tests do not start or stop (say a CI service);</li>
 * <li>else a {@code redis-server} started on a free 127.0.0.1 port: the one on the {@code PATH}, else the binary that
 * {@code org.signal:embedded-redis} ships. It keeps nothing on disk and stops when the JVM exits.</li>
 * </ol>
 * Tests never share keys: each takes a prefix of its own from {@link #newKeyPrefix()}, and deletes its keys when done,
 * so a server given by URL may also hold other data (never point it at a Redis that production uses: a test that
 * failed halfway leaves its keys).
 */
public final class TestRedis {

    /** The system property that names a Redis to use instead of starting one. */
    public static final String URL_PROPERTY = "taskqueue.test.redis-url";

    /** The environment variable that names a Redis to use instead of starting one. */
    public static final String URL_VARIABLE = "TASKQUEUE_TEST_REDIS_URL";

    private static final AtomicLong PREFIXES = new AtomicLong();

    /** Tells the key prefixes of this JVM from those of other JVMs on one server. */
    private static final String JVM = String.format("%06x", new SecureRandom().nextInt(1 << 24));

    private static @Nullable RedisURI uri;
    private static @Nullable RedisClient client;

    private TestRedis() {
    }

    /** Where the server is; the first call starts it (or reads the configured URL). */
    public static synchronized RedisURI uri() {
        if (uri == null) {
            String configured = System.getProperty(URL_PROPERTY, System.getenv(URL_VARIABLE));
            if (configured != null && !configured.isBlank()) {
                try {
                    uri = RedisURI.create(configured.strip());
                }
                catch (IllegalArgumentException ex) {
                    throw new IllegalStateException("'" + configured + "' (" + URL_PROPERTY + " or " + URL_VARIABLE
                            + ") is not a Redis URL: write it like redis://localhost:6379/5", ex);
                }
            }
            else {
                uri = LocalRedisServer.start().uri(); // stopped by its own shutdown hook
            }
        }
        return uri;
    }

    /** The server's host. */
    public static String host() {
        return uri().getHost();
    }

    /** The server's port. */
    public static int port() {
        return uri().getPort();
    }

    /** {@code host:port}, for messages. */
    public static String address() {
        return host() + ":" + port();
    }

    /** A Lettuce client of the server, shared by the tests of this JVM and shut down when it exits. */
    public static synchronized RedisClient client() {
        if (client == null) {
            RedisClient created = RedisClient.create(uri());
            Runtime.getRuntime().addShutdownHook(new Thread(created::shutdown, "taskqueue-test-redis-client"));
            client = created;
        }
        return client;
    }

    /**
     * A key prefix no other test uses, in this JVM or another on the same server: {@code taskqueue-test-<jvm>-<n>}.
     */
    public static String newKeyPrefix() {
        return "taskqueue-test-" + JVM + "-" + PREFIXES.incrementAndGet();
    }
}
