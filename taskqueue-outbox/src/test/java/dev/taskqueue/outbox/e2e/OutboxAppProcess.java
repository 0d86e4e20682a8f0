package dev.taskqueue.outbox.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * {@link OutboxApp#main} in a JVM of its own, on the test classpath: started with its arguments, watched for a line
 * it prints, and killed as {@code kill -9} does ({@link #kill9()}), or awaited when it halts by itself.
 */
final class OutboxAppProcess implements AutoCloseable {

    /** A Spring Boot start in a cold JVM on two shared cores takes a few seconds; this only bounds a hang. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;

    private OutboxAppProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the child with these arguments and waits until it prints {@code line}. */
    static OutboxAppProcess startAndAwait(String line, List<String> arguments) throws IOException {
        Path log = Files.createTempFile("outbox-e2e-app-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), OutboxApp.class.getName()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        OutboxAppProcess app = new OutboxAppProcess(process, log);
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (app.log().contains(line)) {
                    return true;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("The child application exited (" + process.exitValue()
                            + ") before it printed " + line + ":\n" + app.log());
                }
                return false;
            });
        }
        catch (RuntimeException ex) {
            app.close();
            throw ex;
        }
        return app;
    }

    /** What the child printed. */
    String log() {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** Kills the JVM at once (SIGKILL): no shutdown hook, no relay round finishing, no connection closed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until the JVM ended by itself; returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The child application did not end within 30 s:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill9();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        }
        catch (IOException ex) {
            // a temporary file: the OS cleans it up
        }
    }
}
