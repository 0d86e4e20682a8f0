package dev.taskqueue.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * A throwaway {@code redis-server} on a free loopback port, for development and tests: the one on the
 * {@code PATH} when there is one, else the static binary that {@code org.signal:embedded-redis} ships (Linux
 * and macOS). No persistence; the process is stopped by {@link #close()} or when the JVM exits.
 *
 * <p>Not for production: it binds 127.0.0.1 only and keeps everything in memory.
 */
public final class LocalRedisServer implements AutoCloseable {

    private static final String EMBEDDED_VERSION = "7.0.15";
    private static final long START_TIMEOUT_MILLIS = 15_000;

    private final Path binary;
    private final Path workDir;
    private final int port;
    private final List<String> extraArguments;
    private @Nullable Process process;
    private final Thread shutdownHook;

    private LocalRedisServer(Path binary, Path workDir, int port, List<String> extraArguments) {
        this.binary = binary;
        this.workDir = workDir;
        this.port = port;
        this.extraArguments = List.copyOf(extraArguments);
        this.shutdownHook = new Thread(this::destroy, "taskqueue-local-redis-stop");
    }

    /** Starts a server on a free port and waits until it answers; it stops when the JVM exits. */
    public static LocalRedisServer start() {
        return start(List.of());
    }

    /**
     * Starts a server with extra {@code redis-server} arguments, such as {@code --replicaof 127.0.0.1 6379}; it stops
     * when the JVM exits.
     */
    public static LocalRedisServer start(List<String> extraArguments) {
        return start(extraArguments, true);
    }

    /**
     * Starts a server whose stop the caller orders: without a JVM shutdown hook of its own, which would stop it in
     * parallel with (and so before) the application's graceful shutdown. Spring closes it as a bean, after the worker
     * that uses it has handed its tasks back.
     */
    public static LocalRedisServer startManaged() {
        return start(List.of(), false);
    }

    private static LocalRedisServer start(List<String> extraArguments, boolean stopWithJvm) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            LocalRedisServer server;
            try {
                server = new LocalRedisServer(findBinary(), Files.createTempDirectory("taskqueue-redis"), freePort(),
                        extraArguments);
            }
            catch (IOException ex) {
                throw new IllegalStateException("Could not prepare a local redis-server: " + ex.getMessage(), ex);
            }
            try {
                server.launch();
                if (stopWithJvm) {
                    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
                }
                return server;
            }
            catch (IOException ex) {
                last = ex; // most likely another process took the port between our probe and the bind
                server.destroy();
            }
        }
        throw new IllegalStateException("Could not start a local redis-server: " + last.getMessage(), last);
    }

    /** Which binary {@link #start()} runs: {@code redis-server} from the PATH, else the embedded one. */
    public static Path findBinary() throws IOException {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return extractEmbeddedBinary();
    }

    private static Path extractEmbeddedBinary() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osName = os.contains("mac") ? "darwin" : os.contains("linux") ? "linux" : null;
        String archName = arch.equals("aarch64") || arch.equals("arm64") ? "arm64"
                : arch.contains("64") ? "amd64" : "386";
        if (osName == null) {
            throw new IOException("no redis-server on the PATH, and embedded-redis has no binary for " + os
                    + "; install Redis, or point spring.data.redis.* at one");
        }
        String resource = "redis-server-" + EMBEDDED_VERSION + "-" + osName + "-" + archName;
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "taskqueue-" + resource);
        try (InputStream in = LocalRedisServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no redis-server on the PATH, and no " + resource + " on the class path: add "
                        + "org.signal:embedded-redis, install Redis, or point spring.data.redis.* at one");
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.exists(target) || Files.size(target) != bytes.length) {
                Path partial = Files.createTempFile(target.getParent(), resource, ".part");
                Files.write(partial, bytes);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            if (!target.toFile().setExecutable(true)) {
                throw new IOException("could not make " + target + " executable");
            }
            return target;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private synchronized void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workDir.toString(),
                "--daemonize", "no", "--loglevel", "warning"));
        command.addAll(extraArguments);
        Path logFile = workDir.resolve("redis.log");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + tail(logFile));
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting redis-server", ex);
            }
        }
        throw new IOException("redis-server did not answer within " + START_TIMEOUT_MILLIS + " ms: " + tail(logFile));
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[8];
            int n = socket.getInputStream().read(reply);
            String answer = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
            // A server that wants credentials first is up too.
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static String tail(Path logFile) {
        return tail(logFile, 5);
    }

    private static String tail(Path logFile, int count) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        }
        catch (IOException ex) {
            return "(no log)";
        }
    }

    /** The port it listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public RedisURI uri() {
        return RedisURI.create("127.0.0.1", port);
    }

    /** The last {@code count} lines the server logged (warnings and errors), joined by " | ": for diagnostics. */
    public String logTail(int count) {
        return tail(workDir.resolve("redis.log"), count);
    }

    /** The binary it runs. */
    public Path binary() {
        return binary;
    }

    /** Stops the server (an outage); {@link #restart()} brings it back on the same port, empty. */
    public synchronized void stop() {
        destroy();
    }

    /**
     * Kills the server with SIGKILL (kill -9): no shutdown, nothing handed to replicas, as when its machine dies.
     * {@link #restart()} brings it back on the same port, empty.
     */
    public synchronized void kill() {
        end(true);
    }

    /** Starts the server again on the same port after {@link #stop()}. */
    public synchronized void restart() {
        destroy();
        try {
            launch();
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not restart redis-server on port " + port + ": " + ex.getMessage(),
                    ex);
        }
    }

    private synchronized void destroy() {
        end(false);
    }

    /** Ends the process: SIGTERM (SIGKILL after 5 s), or SIGKILL at once. */
    private synchronized void end(boolean kill) {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        try {
            if (!kill) {
                p.destroy();
            }
            if (kill || !p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (IllegalStateException ex) {
            // the JVM is exiting; the hook (if registered) runs anyway
        }
        try (var files = Files.walk(workDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException ex) {
            // a temporary directory: the OS cleans it up eventually
        }
    }
}
