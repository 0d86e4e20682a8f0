package dev.taskqueue.celery.python;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Python Celery worker of the test app {@code proj} ({@code python -m celery -A proj worker}), or of the app
 * that {@link WorkerOptions#withApp} names, started by {@link PythonCelery#startWorker}.
 * <ol>
 * <li>Start: the worker's stdout and stderr go to one log file; the start waits, bounded, for its
 * {@code <nodename> ready.} line, and a worker that exits or is not ready in time fails with the log's end;</li>
 * <li>{@link #close()}: SIGTERM (Celery's warm shutdown: it finishes the task at hand), at most
 * {@value #STOP_SECONDS} s, then SIGKILL; prefork children too, so no process outlives the test;</li>
 * <li>{@link #kill9()}: SIGKILL at once, for crash tests: the task at hand stays unacknowledged in Redis.</li>
 * </ol>
 */
public final class CeleryWorkerProcess implements AutoCloseable {

    /** How long a warm shutdown may take before the worker is killed. */
    static final int STOP_SECONDS = 10;

    private static final int LOG_TAIL_LINES = 60;

    private static final AtomicInteger NODES = new AtomicInteger();

    private final Process process;

    private final String nodename;

    private final Path log;

    private CeleryWorkerProcess(Process process, String nodename, Path log) {
        this.process = process;
        this.nodename = nodename;
        this.log = log;
    }

    static CeleryWorkerProcess start(String python, Path app, String module, Map<String, String> env,
            WorkerOptions options) {
        String nodename = options.nodename() != null ? options.nodename()
                : "py-" + NODES.incrementAndGet() + "-" + ProcessHandle.current().pid() + "@localhost";
        List<String> command = new ArrayList<>(List.of(python, "-m", "celery", "-A", module, "worker",
                "-Q", String.join(",", options.queues()), "-n", nodename, "--loglevel=INFO"));
        if (options.concurrency() == 0) {
            command.addAll(List.of("-P", "solo"));
        }
        else {
            command.addAll(List.of("-P", "prefork", "-c", Integer.toString(options.concurrency())));
        }
        if (options.events()) {
            command.add("-E");
        }
        if (!options.mingleAndGossip()) {
            command.addAll(List.of("--without-mingle", "--without-gossip"));
        }
        Path log = ScratchFiles.newDirectory("worker-").resolve("worker.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        PythonCelery.prepare(builder.environment(), app, env);
        if (options.events()) {
            builder.environment().put("CELERY_EVENTS", "1");
        }
        CeleryWorkerProcess worker;
        try {
            worker = new CeleryWorkerProcess(builder.start(), nodename, log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + String.join(" ", command), ex);
        }
        worker.awaitReady(options.startTimeout(), command);
        return worker;
    }

    private void awaitReady(Duration timeout, List<String> command) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String ready = nodename + " ready.";
        try {
            while (!log().contains(ready)) {
                String problem = !process.isAlive() ? "exited with " + process.exitValue()
                        : System.nanoTime() - deadline > 0 ? "was not ready within " + timeout : null;
                if (problem != null) {
                    throw new IllegalStateException("The Celery worker `" + String.join(" ", command) + "` " + problem
                            + ". The last " + LOG_TAIL_LINES + " lines of its log (" + log + "):\n" + tail());
                }
                process.waitFor(100, TimeUnit.MILLISECONDS); // a pause that ends early when the worker dies
            }
        }
        catch (InterruptedException ex) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Celery worker " + nodename, ex);
        }
        catch (RuntimeException ex) {
            close(); // a worker that is not ready is of no use to anybody; none is left behind
            throw ex;
        }
    }

    /** Its node name, e.g. {@code py-1-4242@localhost}. */
    public String nodename() {
        return nodename;
    }

    /** The process id of the main worker process. */
    public long pid() {
        return process.pid();
    }

    /** Whether the main worker process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its log so far: stdout and stderr together. */
    public String log() {
        try {
            return Files.readString(log);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read the worker's log " + log, ex);
        }
    }

    /** Where its log is. */
    public Path logFile() {
        return log;
    }

    /** Warm shutdown (SIGTERM), and SIGKILL for the worker and its children after {@value #STOP_SECONDS} s. */
    @Override
    public void close() {
        // Taken before the signal: once the worker is gone its orphaned children are nobody's descendants.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!waitFor(process.toHandle(), Duration.ofSeconds(STOP_SECONDS))) {
            process.destroyForcibly();
        }
        killAll(children);
        waitFor(process.toHandle(), Duration.ofSeconds(5));
    }

    /** SIGKILL for the worker and its children at once, as a crash would. */
    public void kill9() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        killAll(children);
        waitFor(process.toHandle(), Duration.ofSeconds(5));
    }

    private static void killAll(List<ProcessHandle> processes) {
        for (ProcessHandle each : processes) {
            each.destroyForcibly();
        }
        for (ProcessHandle each : processes) {
            waitFor(each, Duration.ofSeconds(5));
        }
    }

    private static boolean waitFor(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (TimeoutException ex) {
            return false;
        }
        catch (ExecutionException ex) {
            return !handle.isAlive();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }

    private String tail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    @Override
    public String toString() {
        return "Celery worker " + nodename + " (pid " + pid() + ", log " + log + ")";
    }
}
