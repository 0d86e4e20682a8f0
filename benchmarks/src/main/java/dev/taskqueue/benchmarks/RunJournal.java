package dev.taskqueue.benchmarks;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A worker JVM's record of the task runs it started and ended, one line per event, each written to its file at
 * once (one {@code write} call, unbuffered): a SIGKILL cannot take back what the kernel already has, so the
 * harness counts every run, including those cut short. Kept in a file rather than in Redis so that it does not
 * depend on what is being tested, and survives a Redis restart.
 * <pre>
 * S &lt;epoch ms&gt; &lt;task id&gt; &lt;attempt&gt;            a handler started
 * E &lt;epoch ms&gt; &lt;task id&gt; &lt;attempt&gt; ok|failed  it returned, or threw
 * </pre>
 */
final class RunJournal implements AutoCloseable {

    /** Journals nothing: for a JVM that runs no chaos task (the harness's own). */
    static final RunJournal NONE = new RunJournal(null);

    private final @Nullable OutputStream out;

    private RunJournal(@Nullable OutputStream out) {
        this.out = out;
    }

    /** Appends to {@code file}, which is created if need be. */
    static RunJournal appendingTo(Path file) {
        try {
            return new RunJournal(new FileOutputStream(file.toFile(), true));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot write the run journal " + file, ex);
        }
    }

    void started(String taskId, int attempt) {
        write("S " + System.currentTimeMillis() + " " + taskId + " " + attempt + "\n");
    }

    void ended(String taskId, int attempt, boolean ok) {
        write("E " + System.currentTimeMillis() + " " + taskId + " " + attempt + (ok ? " ok" : " failed") + "\n");
    }

    private synchronized void write(String line) {
        if (out == null) {
            return;
        }
        try {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot write the run journal", ex);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    /**
     * One run of a task's handler.
     *
     * @param worker the worker that ran it
     * @param taskId the task
     * @param attempt its attempt (a retry is a new attempt; a delivery again after a crash is not)
     * @param startedAt when the handler started, epoch ms
     * @param endedAt when it returned or threw; null if it never did (its worker was killed)
     * @param ok whether it returned
     */
    record Run(String worker, String taskId, int attempt, long startedAt, @Nullable Long endedAt, boolean ok) {

        /** The task and attempt: runs of the same key are runs of the same work. */
        String key() {
            return taskId + "#" + attempt;
        }

        Run ended(long at, boolean succeeded) {
            return new Run(worker, taskId, attempt, startedAt, at, succeeded);
        }
    }

    /** The runs in {@code file}, written by {@code worker}; a line cut short by a kill is skipped. */
    static List<Run> read(Path file, String worker) throws IOException {
        List<Run> runs = new ArrayList<>();
        Map<String, Deque<Integer>> open = new HashMap<>(); // key -> indexes of runs not ended yet
        if (!Files.exists(file)) {
            return runs;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.split(" ");
            if (f.length < 4 || !(f[0].equals("S") || f[0].equals("E") && f.length == 5)) {
                continue;
            }
            long at;
            int attempt;
            try {
                at = Long.parseLong(f[1]);
                attempt = Integer.parseInt(f[3]);
            }
            catch (NumberFormatException ex) {
                continue;
            }
            String key = f[2] + "#" + attempt;
            if (f[0].equals("S")) {
                open.computeIfAbsent(key, k -> new ArrayDeque<>()).push(runs.size());
                runs.add(new Run(worker, f[2], attempt, at, null, false));
            }
            else {
                Deque<Integer> started = open.get(key);
                if (started != null && !started.isEmpty()) {
                    int i = started.pop();
                    runs.set(i, runs.get(i).ended(at, f[4].equals("ok")));
                }
            }
        }
        return runs;
    }
}
