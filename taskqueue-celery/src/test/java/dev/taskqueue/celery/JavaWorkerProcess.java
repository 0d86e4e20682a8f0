package dev.taskqueue.celery;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.celery.app.CeleryWorkerMain;
import dev.taskqueue.test.TestRedis;

import static org.awaitility.Awaitility.await;

/**
 * A Java worker on Celery queues in a JVM of its own (the test classpath's {@link CeleryWorkerMain}), ready once its
 * liveness is in Redis; {@link #kill9()} kills it as {@code kill -9} does.
 */
final class JavaWorkerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String nodename;

    private JavaWorkerProcess(Process process, Path log, String nodename) {
        this.process = process;
        this.log = log;
        this.nodename = nodename;
    }

    /** Starts a worker of these Celery queues on the database of {@code redis}; waits until it beats. */
    static JavaWorkerProcess start(CeleryRedisSupport redis, String nodename, String queues, int concurrency,
            String... extraArguments) throws IOException {
        Path log = Files.createTempFile("celery-java-worker-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CeleryWorkerMain.class.getName(), "--spring.main.banner-mode=off",
                "--spring.data.redis.host=" + TestRedis.host(), "--spring.data.redis.port=" + TestRedis.port(),
                "--spring.data.redis.database=" + redis.database(), "--taskqueue.celery.queues=celery,java,shared",
                "--taskqueue.celery.worker.queues=" + queues, "--taskqueue.celery.worker.nodename=" + nodename,
                "--taskqueue.celery.worker.concurrency=" + concurrency, "--taskqueue.worker.enabled=false"));
        command.addAll(List.of(extraArguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        JavaWorkerProcess worker = new JavaWorkerProcess(process, log, nodename);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The Java worker " + nodename + " exited: " + worker.log());
                }
                return redis.redis().zscore("taskqueue-celery:workers", nodename) != null;
            });
        }
        catch (RuntimeException ex) {
            worker.close();
            throw ex;
        }
        return worker;
    }

    String log() {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    String nodename() {
        return nodename;
    }

    /** Kills the JVM at once: no shutdown hook, no hand-back. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        new File(log.toString()).delete();
    }
}
