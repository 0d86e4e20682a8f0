package dev.taskqueue.celery.python;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.test.RequiredProgram;
import org.jspecify.annotations.Nullable;

/**
 * A Python that has Celery and redis-py, found once per JVM, which starts workers of the test app {@code proj} and
 * runs Python client scripts.
 * <ol>
 * <li>{@link #require()} looks for it: {@code /usr/bin/python3} first (where Debian's {@code python3-celery} is),
 * then the {@code python3} on the {@code PATH};</li>
 * <li>when there is none, the test is skipped with a loud message, except with {@code CI=true}, where it fails:
 * {@code .ci/run} installs Celery, so its absence there is a broken setup, not a reason to pass silently.</li>
 * </ol>
 * Every process gets {@code TASKQUEUE_CELERY_REDIS} (broker and result backend of the app) and runs bounded in time.
 */
public final class PythonCelery {

    /** Where Debian puts the Python of {@code python3-celery}; a pyenv or venv {@code python3} may lack Celery. */
    private static final List<String> CANDIDATES = List.of("/usr/bin/python3", "python3");

    private static final String INSTALL = "sudo apt-get install python3-celery python3-redis";

    /** Importing Celery takes well under a second; this only guards against a hanging interpreter. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private static final String ENV_REDIS = "TASKQUEUE_CELERY_REDIS";

    private static @Nullable Optional<PythonCelery> found;

    private final String python;

    private final String version;

    private PythonCelery(String python, String version) {
        this.python = python;
        this.version = version;
    }

    /** The Python with Celery; skips the calling test when there is none (fails it with {@code CI=true}). */
    public static PythonCelery require() {
        Optional<PythonCelery> celery = find();
        if (celery.isPresent()) {
            return celery.get();
        }
        throw RequiredProgram.missing("Python Celery is not installed (tried " + String.join(", ", CANDIDATES)
                + ": none can `import celery, redis`), so the Celery interop tests do not run", INSTALL);
    }

    private static synchronized Optional<PythonCelery> find() {
        if (found == null) {
            found = Optional.empty();
            for (String candidate : CANDIDATES) {
                try {
                    PythonResult probe = execute(List.of(candidate, "-c", "import celery, redis; print(celery.__version__)"),
                            ScratchFiles.newDirectory("probe-"), Map.of(), PROBE_TIMEOUT, candidate);
                    if (probe.exitCode() == 0) {
                        found = Optional.of(new PythonCelery(candidate, probe.stdout().strip()));
                        break;
                    }
                }
                catch (IOException ex) {
                    // no such interpreter: try the next one
                }
            }
        }
        return found;
    }

    /** The interpreter: a path, or {@code python3} to be found on the {@code PATH}. */
    public String python() {
        return python;
    }

    /** Celery's version, e.g. {@code 5.2.6}. */
    public String version() {
        return version;
    }

    /** A worker with {@link WorkerOptions#defaults()}. */
    public CeleryWorkerProcess startWorker(String redisUrl) {
        return startWorker(redisUrl, WorkerOptions.defaults());
    }

    /**
     * Starts {@code python -m celery -A proj worker} (or the app of {@link WorkerOptions#withApp}) on {@code redisUrl}
     * (broker and result backend) and waits until it is ready to take tasks. Close it when done.
     */
    public CeleryWorkerProcess startWorker(String redisUrl, WorkerOptions options) {
        WorkerOptions.App app = options.app();
        return CeleryWorkerProcess.start(python, app != null ? app.directory() : ScratchFiles.app(),
                app != null ? app.module() : "proj", environment(redisUrl, options.env()), options);
    }

    /**
     * Runs a Python script (its text) next to the test app, so it can {@code from proj.tasks import add}; the app
     * talks to {@code redisUrl}. The script is killed, and the test fails, when it runs longer than {@code timeout}.
     */
    public PythonResult run(String redisUrl, String script, Duration timeout) {
        return runIn(ScratchFiles.app(), environment(redisUrl, Map.of()), script, timeout);
    }

    /** {@link #run} that fails the test unless the script exits with 0; returns what it printed, trimmed. */
    public String runOk(String redisUrl, String script, Duration timeout) {
        return ok(run(redisUrl, script, timeout), script);
    }

    /**
     * Runs a Python script (its text) in {@code directory}, which is also on its {@code PYTHONPATH}, with the extra
     * {@code env}: for Python code outside the test app, such as the sample's.
     */
    public PythonResult runIn(Path directory, Map<String, String> env, String script, Duration timeout) {
        Path file = ScratchFiles.newDirectory("script-").resolve("script.py");
        try {
            Files.writeString(file, script);
            return execute(List.of(python, file.toString()), directory, env, timeout, firstLine(script));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not run " + python + " with the script " + firstLine(script), ex);
        }
    }

    /** Fails the test unless {@code result} is a success; what the script printed, trimmed. */
    public static String ok(PythonResult result, String script) {
        if (result.exitCode() != 0) {
            throw new AssertionError("The Python script starting with `" + firstLine(script) + "` exited with "
                    + result.exitCode() + ".\nstdout:\n" + result.stdout() + "\nstderr:\n" + result.stderr());
        }
        return result.stdout().strip();
    }

    private static Map<String, String> environment(String redisUrl, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put(ENV_REDIS, redisUrl);
        return env;
    }

    /**
     * Runs {@code command} in {@code directory}. Its output goes to files, not pipes: a pipe nobody reads while we wait
     * could fill and block the process.
     */
    private static PythonResult execute(List<String> command, Path directory, Map<String, String> env,
            Duration timeout, String what) throws IOException {
        Path out = Files.createTempFile(ScratchFiles.newDirectory("run-"), "out", ".txt");
        Path err = out.resolveSibling("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        prepare(builder.environment(), directory, env);
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("The Python script starting with `" + what + "` did not finish within "
                        + timeout + " and was killed.\nstdout:\n" + Files.readString(out) + "\nstderr:\n"
                        + Files.readString(err));
            }
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for `" + what + "`", ex);
        }
        return new PythonResult(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * The environment of every Python process: {@code directory} importable, output unbuffered (a worker's "ready."
     * must reach its log at once), no {@code .pyc} files, and nothing from a pyenv or venv that could make
     * {@code /usr/bin/python3} load another Python's packages.
     */
    static void prepare(Map<String, String> environment, Path directory, Map<String, String> env) {
        environment.remove("PYTHONHOME");
        environment.remove("VIRTUAL_ENV");
        environment.put("PYTHONPATH", directory.toAbsolutePath().toString());
        environment.put("PYTHONUNBUFFERED", "1");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
        environment.putAll(env);
    }

    private static String firstLine(String script) {
        return script.strip().lines().findFirst().orElse("(empty script)");
    }
}
