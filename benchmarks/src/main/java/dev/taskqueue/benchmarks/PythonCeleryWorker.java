package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * A Python Celery worker of the benchmark's own app ({@code celery/benchapp.py}, task {@code bench.add}), on the
 * benchmark's Redis as broker and result backend:
 * <ol>
 * <li>{@link #start} finds a Python that imports Celery and redis-py ({@code /usr/bin/python3} first, where Debian's
 * {@code python3-celery} is, then {@code python3}), writes the app to a temporary directory and starts
 * {@code python -m celery -A benchapp worker} with the given pool, its output in a log file;</li>
 * <li>{@link #close()} sends SIGTERM (Celery's warm shutdown), then SIGKILL to it and its pool's children, and
 * deletes the directory (a failure has already quoted the log).</li>
 * </ol>
 */
final class PythonCeleryWorker implements AutoCloseable {

    /** Where Debian puts the Python of {@code python3-celery}; a pyenv or venv {@code python3} may lack Celery. */
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

    private static final Duration PROBE_LIMIT = Duration.ofSeconds(30);

    private static final Duration STOP_LIMIT = Duration.ofSeconds(10);

    private static final String APP = "benchapp.py";

    private static final String LOG = "worker.log";

    private final Process process;
    private final Path dir;
    private final Path log;

    private PythonCeleryWorker(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        this.log = dir.resolve(LOG);
    }

    /**
     * Starts {@code python -m celery -A benchapp worker -Q queue -P prefork -c processes} with mingle, gossip and
     * heartbeats off and warnings only, on {@code redisUrl}. It does not wait for the worker to be ready: the caller
     * watches the results.
     */
    static PythonCeleryWorker start(String redisUrl, String queue, int processes) throws IOException {
        String python = findPython();
        Path dir = Files.createTempDirectory("bench-celery-");
        try (InputStream app = PythonCeleryWorker.class.getResourceAsStream("/celery/benchapp.py")) {
            if (app == null) {
                throw new IllegalStateException("celery/benchapp.py is missing from the benchmark's jar: rebuild it");
            }
            Files.copy(app, dir.resolve(APP));
        }
        ProcessBuilder builder = new ProcessBuilder(python, "-m", "celery", "-A", "benchapp", "worker", "-Q", queue,
                "-n", "pybench-" + ProcessHandle.current().pid() + "@localhost", "-P", "prefork", "-c",
                Integer.toString(processes), "--without-mingle", "--without-gossip", "--without-heartbeat",
                "--loglevel=WARNING").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(LOG).toFile());
        cleanEnvironment(builder);
        builder.environment().put("PYTHONPATH", dir.toString());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("BENCH_CELERY_REDIS", redisUrl);
        return new PythonCeleryWorker(builder.start(), dir);
    }

    /** Nothing of a pyenv or venv may make {@code /usr/bin/python3} load another Python's packages. */
    private static void cleanEnvironment(ProcessBuilder builder) {
        builder.environment().remove("PYTHONHOME");
        builder.environment().remove("VIRTUAL_ENV");
    }

    /** Whether a Python with Celery and redis-py is installed. */
    static boolean installed() {
        return find() != null;
    }

    /** The first of {@link #PYTHONS} that imports Celery and redis-py; else what to install. */
    private static String findPython() {
        String python = find();
        if (python == null) {
            throw new IllegalStateException("The celery scenario needs Python Celery, but none of " + PYTHONS
                    + " can `import celery, redis`. Install it with: sudo apt-get install python3-celery "
                    + "python3-redis");
        }
        return python;
    }

    private static @Nullable String find() {
        for (String python : PYTHONS) {
            try {
                ProcessBuilder builder = new ProcessBuilder(python, "-c", "import celery, redis")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                cleanEnvironment(builder);
                Process probe = builder.start();
                if (probe.waitFor(PROBE_LIMIT.toMillis(), TimeUnit.MILLISECONDS) && probe.exitValue() == 0) {
                    return python;
                }
                probe.destroyForcibly();
            }
            catch (IOException ex) {
                // no such interpreter: try the next one
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new Deadline.DidNotFinish("looking for Python Celery (interrupted)");
            }
        }
        return null;
    }

    /** Throws, with the end of its log, when the worker has exited. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("The Python Celery worker exited with " + process.exitValue()
                    + ". Its log (" + log + "):\n" + logTail());
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not read the Python worker's log " + log, ex);
        }
    }

    /** Warm shutdown, then SIGKILL for whatever of it still runs after {@link #STOP_LIMIT}. */
    @Override
    public void close() {
        // Taken before the signal: once the worker is gone its orphaned pool processes are nobody's descendants.
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        if (!exited(process.toHandle())) {
            process.destroyForcibly();
        }
        family.forEach(ProcessHandle::destroyForcibly);
        family.forEach(PythonCeleryWorker::exited);
        try {
            Files.deleteIfExists(log);
            Files.deleteIfExists(dir.resolve(APP));
            Files.deleteIfExists(dir);
        }
        catch (IOException ex) {
            // a temporary directory left behind harms nobody
        }
    }

    private static boolean exited(ProcessHandle handle) {
        try {
            handle.onExit().get(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (TimeoutException | ExecutionException ex) {
            return !handle.isAlive();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }
}
