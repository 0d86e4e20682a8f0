package dev.taskqueue.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A {@link WorkerMain} in a JVM of its own, started from the benchmark's own class path (the jar, or the test
 * class path), and driven through its stdin and stdout. Closing it ends the process, forcibly if need be.
 */
final class ChildWorker implements AutoCloseable {

    /** The child JVMs' settings: fixed, so that their figures do not depend on how the benchmark was started. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseParallelGC", "-Xms256m", "-Xmx256m",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true");

    private final Process process;
    private final Writer stdin;
    private final Path log;
    private final boolean deleteLog;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildWorker(Process process, Path log, boolean deleteLog) {
        this.process = process;
        this.log = log;
        this.deleteLog = deleteLog;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            }
            catch (IOException ex) {
                // the process is gone
            }
        }, "child-worker-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a worker JVM and waits until it is connected ({@code READY}); its worker is not started yet. */
    static ChildWorker launch(Bench bench, List<String> queues, int concurrency, long holdMillis, String workerId,
            Deadline deadline) throws IOException {
        return launch(bench, queues, concurrency, holdMillis, workerId, null, deadline);
    }

    /**
     * As {@link #launch(Bench, List, int, long, String, Deadline)}; with a {@code workDir}, the child journals
     * the runs of its {@link ChaosTasks} in {@link #journal(Path, String)} and its log is kept there too.
     */
    static ChildWorker launch(Bench bench, List<String> queues, int concurrency, long holdMillis, String workerId,
            @Nullable Path workDir, Deadline deadline) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(),
                String.join(",", queues), Integer.toString(concurrency), Long.toString(holdMillis),
                Boolean.toString(bench.sizes.fastWorkers()), workerId));
        if (workDir != null) {
            command.add(journal(workDir, workerId).toString());
        }
        Path log = workDir != null ? log(workDir, workerId) : Files.createTempFile("bench-worker-" + workerId, ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().put(WorkerMain.REDIS_URI_VARIABLE, bench.redis.uriText());
        ChildWorker child = new ChildWorker(builder.start(), log, workDir == null);
        try {
            child.expect("READY", deadline);
        }
        catch (RuntimeException ex) {
            child.close();
            throw ex;
        }
        return child;
    }

    /** Where the worker {@code workerId} launched with {@code workDir} writes its log (its stderr). */
    static Path log(Path workDir, String workerId) {
        return workDir.resolve(workerId + ".log");
    }

    /** Where the worker {@code workerId} launched with {@code workDir} journals its runs. */
    static Path journal(Path workDir, String workerId) {
        return workDir.resolve(workerId + ".runs");
    }

    long pid() {
        return process.pid();
    }

    void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        }
        catch (IOException ex) {
            throw new IllegalStateException("worker process " + process.pid() + " is gone: " + logTail(), ex);
        }
    }

    /** The next line starting with {@code prefix} (earlier lines are skipped). */
    String expect(String prefix, Deadline deadline) {
        while (true) {
            deadline.check("waiting for '" + prefix + "' from worker process " + process.pid());
            String line;
            try {
                line = lines.poll(Math.min(100, Math.max(1, deadline.remainingMillis())), TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new Deadline.DidNotFinish("interrupted");
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException("worker process " + process.pid() + " exited: " + logTail());
            }
            if (line != null && line.startsWith("ERROR")) {
                throw new IllegalStateException("worker process " + process.pid() + ": " + line);
            }
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends {@code heap} and returns the child's heap in use after a full GC, in bytes. */
    long heapUsedAfterGc(Deadline deadline) {
        send("heap");
        return Long.parseLong(expect("HEAP ", deadline).substring(5).trim());
    }

    /**
     * Sends {@code problems} and returns what keeps failing in the child's worker ({@link WorkerMain}), null when
     * nothing does.
     */
    @Nullable String problems(Deadline deadline) {
        send("problems");
        String answer = expect("PROBLEMS ", deadline).substring("PROBLEMS ".length()).trim();
        return answer.equals("none") ? null : answer;
    }

    /** SIGKILL (on Linux and macOS): no shutdown hook, no hand-back, exactly a crash. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(" | ", all.subList(Math.max(0, all.size() - 5), all.size()));
        }
        catch (IOException ex) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                send("exit");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (RuntimeException ex) {
                process.destroyForcibly();
            }
            catch (InterruptedException ex) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (deleteLog) {
                Files.deleteIfExists(log);
            }
        }
        catch (IOException ex) {
            // a temporary file
        }
    }
}
