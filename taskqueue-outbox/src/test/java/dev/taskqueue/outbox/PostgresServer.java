package dev.taskqueue.outbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.taskqueue.test.RequiredProgram;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests, from Debian's {@code postgresql} package, one per JVM:
 * <ol>
 * <li>{@link #require()} finds {@code initdb} and {@code pg_ctl} (the newest {@code /usr/lib/postgresql/N/bin}, else
 * the {@code initdb} on the {@code PATH}); when there are none, the calling test is skipped with a loud message, except
 * with {@code CI=true}, where it fails: {@code .ci/run} installs PostgreSQL, so its absence there is a broken setup.</li>
 * <li>It runs {@code initdb} into a temporary directory and starts the server on a free 127.0.0.1 port, its unix socket
 * in that directory, with fsync off (tests need no durability across a machine crash). {@code initdb} refuses to run as
 * root, so as root (CI) both run as the {@code postgres} user, which owns the directory.</li>
 * <li>{@link #stop()} and {@link #start()} stop and restart it on the same port and data (a database outage); it is
 * stopped at JVM exit.</li>
 * </ol>
 */
public final class PostgresServer {

    private static final String INSTALL = "sudo apt-get install postgresql";

    /** initdb and a start take a few seconds; this only bounds a hang. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    private static final String USER = "postgres";

    private static @Nullable Optional<PostgresServer> started;

    private final Path bin;
    private final Path directory;
    private final int port;
    private final boolean asPostgresUser;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path bin, Path directory, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The running server; skips the calling test when PostgreSQL is not installed (fails it with CI=true). */
    public static synchronized PostgresServer require() {
        if (started == null) {
            started = findBin().map(PostgresServer::initAndStart);
        }
        if (started.isPresent()) {
            return started.get();
        }
        throw RequiredProgram.missing("PostgreSQL is not installed (no initdb and pg_ctl in /usr/lib/postgresql/*/bin "
                + "or on the PATH), so the PostgreSQL outbox tests do not run", INSTALL);
    }

    /** The JDBC URL of a new, empty database of this server. */
    public String newDatabase() {
        String name = "outbox_test_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Cannot create database " + name + " on PostgreSQL at port " + port, ex);
        }
        return url(name);
    }

    /** The user tests connect as (trust authentication: no password). */
    public String user() {
        return USER;
    }

    /** Stops the server (fast: open connections are cut), keeping its data for {@link #start()}. */
    public synchronized void stop() {
        pgCtl("stop", "-m", "fast");
    }

    /** Starts the server again, on the same port and data. */
    public synchronized void start() {
        pgCtl("start", "-l", directory.resolve("server.log").toString(), "-o",
                "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off "
                        + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100");
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static PostgresServer initAndStart(Path bin) {
        try {
            Path directory = Files.createTempDirectory("taskqueue-postgres-");
            boolean root = "root".equals(System.getProperty("user.name"));
            PostgresServer server = new PostgresServer(bin, directory, freePort(), root);
            if (root) {
                server.run(List.of("chown", "-R", USER + ":", directory.toString()), false);
            }
            server.run(List.of(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", USER,
                    "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"), root);
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.shutDown(), "postgres-test-server-stop"));
            return server;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot prepare a PostgreSQL data directory", ex);
        }
    }

    private void shutDown() {
        try {
            pgCtl("stop", "-m", "immediate");
        }
        catch (RuntimeException ex) {
            // already stopped
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            // a temporary directory: the OS cleans it up
        }
    }

    private Path data() {
        return directory.resolve("data");
    }

    private void pgCtl(String... arguments) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(),
                "-w", "-t", "60"));
        command.addAll(List.of(arguments));
        run(command, asPostgresUser);
    }

    private void run(List<String> command, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        try {
            Path output = Files.createTempFile("taskqueue-postgres-", ".out");
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            boolean ended = process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            if (!ended) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out after " + COMMAND_TIMEOUT + ": " + full + "\n" + printed);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Failed (exit " + process.exitValue() + "): " + full + "\n" + printed
                        + serverLog());
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot run " + full, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + full, ex);
        }
    }

    private String serverLog() {
        try {
            Path log = directory.resolve("server.log");
            return Files.exists(log) ? "\nserver.log:\n" + Files.readString(log) : "";
        }
        catch (IOException ex) {
            return "";
        }
    }

    private static Optional<Path> findBin() {
        List<Path> candidates = new ArrayList<>();
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(version -> version.resolve("bin"))
                        .sorted(Comparator.comparing(PostgresServer::versionOf).reversed()).forEach(candidates::add);
            }
            catch (IOException ex) {
                // not readable: try the PATH
            }
        }
        String path = System.getenv("PATH");
        for (String entry : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
            Path initdb = Path.of(entry).resolve("initdb");
            if (Files.isExecutable(initdb)) {
                try {
                    candidates.add(initdb.toRealPath().getParent());
                }
                catch (IOException ex) {
                    // a dangling link: skip it
                }
            }
        }
        return candidates.stream().filter(bin -> Files.isExecutable(bin.resolve("initdb"))
                && Files.isExecutable(bin.resolve("pg_ctl"))).findFirst();
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        }
        catch (NumberFormatException ex) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
