package dev.taskqueue.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;

/**
 * {@code redis-server --sentinel} processes on free loopback ports, watching one master named {@value #MASTER}:
 * what {@code spring.data.redis.sentinel.*} points at. Each has a config file of its own (Sentinel rewrites it).
 */
public final class LocalRedisSentinels implements AutoCloseable {

    public static final String MASTER = "mymaster";

    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /**
     * Starts {@code count} sentinels watching the master on {@code masterPort}; {@code quorum} of them must find it
     * down, after {@code downAfter} without an answer, before one of them fails over.
     */
    public LocalRedisSentinels(int count, int masterPort, int quorum, Duration downAfter) {
        try {
            for (int i = 0; i < count; i++) {
                start(masterPort, quorum, downAfter);
            }
        }
        catch (IOException | RuntimeException ex) {
            close();
            throw new IllegalStateException("Could not start " + count + " sentinel(s): " + ex.getMessage(), ex);
        }
    }

    private void start(int masterPort, int quorum, Duration downAfter) throws IOException {
        Path dir = Files.createTempDirectory("taskqueue-sentinel");
        dirs.add(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path config = dir.resolve("sentinel.conf");
        Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
                "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " " + quorum,
                "sentinel down-after-milliseconds " + MASTER + " " + downAfter.toMillis(),
                "sentinel failover-timeout " + MASTER + " 10000") + "\n", StandardCharsets.UTF_8);
        Path log = dir.resolve("sentinel.log");
        Process process = new ProcessBuilder(LocalRedisServer.findBinary().toString(), config.toString(), "--sentinel")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        long deadline = System.currentTimeMillis() + 15_000;
        while (!answers(port)) {
            if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                throw new IOException("the sentinel did not start: " + Files.readString(log));
            }
            sleep(50);
        }
        ports.add(port);
    }

    /** Whether the sentinel on {@code port} knows the master's address. */
    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            socket.getOutputStream().write(("SENTINEL get-master-addr-by-name " + MASTER + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[64];
            int n = socket.getInputStream().read(reply);
            return n > 1 && reply[0] == '*' && reply[1] == '2';
        }
        catch (IOException ex) {
            return false;
        }
    }

    /** The sentinels' ports (127.0.0.1). */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /**
     * The address a client connects through, as Spring's {@code spring.data.redis.sentinel.master} and {@code .nodes}
     * make it, with {@code timeout} for commands ({@code spring.data.redis.timeout}).
     */
    public RedisURI uri(Duration timeout) {
        RedisURI.Builder builder = RedisURI.builder().withSentinelMasterId(MASTER).withTimeout(timeout);
        ports.forEach(port -> builder.withSentinel("127.0.0.1", port));
        return builder.build();
    }

    /**
     * Waits until every sentinel knows {@code replicas} replica(s) of the master and all the other sentinels
     * (they find each other through the master every 2 s): before that, a failover could not be agreed on.
     */
    public void awaitDiscovery(int replicas, Duration timeout) {
        RedisClient client = RedisClient.create();
        try {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            for (int port : ports) {
                try (StatefulRedisSentinelConnection<String, String> sentinel = client.connectSentinel(
                        RedisURI.create("127.0.0.1", port))) {
                    String expected = "slaves=" + replicas + ",sentinels=" + ports.size();
                    while (!sentinel.sync().info("sentinel").contains(expected)) {
                        if (System.currentTimeMillis() > deadline) {
                            throw new IllegalStateException("sentinel " + port + " did not see " + expected + " in "
                                    + timeout + ": " + sentinel.sync().info("sentinel"));
                        }
                        sleep(100);
                    }
                }
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** The port of the master the first sentinel names now. */
    public int masterPort() {
        return withFirst(sentinel -> ((InetSocketAddress) sentinel.sync().getMasterAddrByName(MASTER)).getPort());
    }

    /** {@code SENTINEL FAILOVER}: promotes a replica at once, without asking the others. */
    public void failover() {
        withFirst(sentinel -> sentinel.sync().failover(MASTER));
    }

    private <T> T withFirst(java.util.function.Function<StatefulRedisSentinelConnection<String, String>, T> action) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> sentinel = client.connectSentinel(
                RedisURI.create("127.0.0.1", ports.get(0)))) {
            return action.apply(sentinel);
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path dir : dirs) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (IOException ex) {
                // a temporary directory: the OS cleans it up eventually
            }
        }
    }
}
