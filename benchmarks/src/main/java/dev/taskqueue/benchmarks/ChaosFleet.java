package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.worker.WorkerSettings;
import org.jspecify.annotations.Nullable;

/**
 * The worker JVMs of the chaos scenario, one per slot at a time:
 * <ol>
 * <li>{@link #start} launches one per slot, in parallel, and starts their workers;</li>
 * <li>{@link #killOne} sends SIGKILL to a random running one and launches its replacement in the background:
 * a new JVM under a new worker id, as after a real crash (a worker back under the dead one's id would hide the
 * death from the janitor);</li>
 * <li>{@link #close} ends every JVM (they stop their workers first), forcibly if need be.</li>
 * </ol>
 * Each JVM runs the engine's default worker settings, journals its runs and keeps its log in the scenario's
 * directory.
 */
final class ChaosFleet implements AutoCloseable {

    /** A task id in a log line, as the engine writes it: {@code [id]}. */
    private static final Pattern TASK_ID = Pattern.compile("\\[([A-Za-z0-9._:\\-]+)\\]");

    /** What a worker JVM retries after, when its launch fails (Redis restarting, a busy machine). */
    private static final long RELAUNCH_PAUSE_MILLIS = 1_000;

    /** One worker JVM. Times are epoch ms, -1 until they happen. */
    static final class Member {

        final String workerId;
        final int slot;
        final ChildWorker child;
        final Path journal;
        volatile long startedAt = -1;
        volatile long killedAt = -1;

        Member(String workerId, int slot, ChildWorker child, Path journal) {
            this.workerId = workerId;
            this.slot = slot;
            this.child = child;
            this.journal = journal;
        }

        boolean running() {
            return startedAt >= 0 && killedAt < 0;
        }
    }

    private final Bench bench;
    private final Path dir;
    private final String tag;
    private final Deadline deadline;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final List<Future<?>> launches = new CopyOnWriteArrayList<>();
    private final List<String> troubles = new CopyOnWriteArrayList<>();
    private final ExecutorService launcher = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "chaos-launcher");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Integer, Integer> generations = new HashMap<>();

    /** @param tag makes this run's worker ids unique in Redis */
    ChaosFleet(Bench bench, Path dir, String tag, Deadline deadline) {
        this.bench = bench;
        this.dir = dir;
        this.tag = tag;
        this.deadline = deadline;
    }

    /** Launches {@code workers} JVMs in parallel and returns once every one's worker has started. */
    void start(int workers) throws Exception {
        List<Future<?>> first = new ArrayList<>();
        for (int slot = 1; slot <= workers; slot++) {
            int s = slot;
            first.add(launcher.submit(() -> launch(s)));
        }
        for (Future<?> f : first) {
            f.get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
        }
    }

    /** SIGKILL of a random running worker JVM, and its replacement launched; null when none runs. */
    @Nullable Member killOne(Random random) {
        List<Member> running = members.stream().filter(Member::running).toList();
        if (running.isEmpty()) {
            return null;
        }
        Member victim = running.get(random.nextInt(running.size()));
        victim.killedAt = System.currentTimeMillis();
        victim.child.kill();
        launches.add(launcher.submit(() -> replace(victim.slot)));
        return victim;
    }

    /** Waits for the replacements still being launched. */
    void awaitReplacements() throws Exception {
        for (Future<?> f : launches) {
            f.get(Math.max(1, deadline.remainingMillis()), TimeUnit.MILLISECONDS);
        }
    }

    boolean isRunning(String workerId) {
        return members.stream().anyMatch(m -> m.workerId.equals(workerId) && m.running());
    }

    List<Member> members() {
        return List.copyOf(members);
    }

    /**
     * What the workers logged about each task: the warnings and errors that name a task id (in brackets), as
     * {@code <worker>: <message>}, by task id. Read after {@link #close()}.
     */
    Map<String, List<String>> logMentions() {
        Map<String, List<String>> mentions = new HashMap<>();
        for (Member member : members) {
            List<String> lines;
            try {
                lines = Files.readAllLines(ChildWorker.log(dir, member.workerId));
            }
            catch (IOException ex) {
                continue;
            }
            for (String line : lines) {
                Matcher id = TASK_ID.matcher(line);
                int message = line.indexOf(" - ");
                while (id.find()) {
                    mentions.computeIfAbsent(id.group(1), k -> new ArrayList<>())
                            .add(member.workerId + ": " + (message < 0 ? line : line.substring(message + 3)));
                }
            }
        }
        return mentions;
    }

    /**
     * What keeps failing in each running worker ({@code Worker.problems()}, what its health check shows), by worker
     * id: only the workers where something does, or that did not answer within {@code limit}.
     */
    Map<String, String> problems(Duration limit) {
        Map<String, String> problems = new TreeMap<>();
        for (Member member : members) {
            if (!member.running()) {
                continue;
            }
            try {
                String failing = member.child.problems(Deadline.in(limit));
                if (failing != null) {
                    problems.put(member.workerId, failing);
                }
            }
            catch (RuntimeException ex) {
                problems.put(member.workerId, "did not say what fails within " + limit.toSeconds() + " s: "
                        + ex.getMessage());
            }
        }
        return problems;
    }

    /** Launches that failed and were tried again. */
    List<String> troubles() {
        return List.copyOf(troubles);
    }

    private void replace(int slot) {
        while (!deadline.passed()) {
            try {
                launch(slot);
                return;
            }
            catch (IOException | RuntimeException ex) {
                if (ex instanceof Deadline.DidNotFinish) {
                    return;
                }
                troubles.add("launching a worker JVM in slot " + slot + " failed (" + ex.getMessage() + "); again");
                Deadline.sleep(Math.min(RELAUNCH_PAUSE_MILLIS, deadline.remainingMillis()));
            }
        }
    }

    private Member launch(int slot) throws IOException {
        String workerId;
        synchronized (generations) {
            workerId = "w" + slot + "." + generations.merge(slot, 1, Integer::sum) + "-" + tag;
        }
        ChildWorker child = ChildWorker.launch(bench, List.of(ChaosTasks.QUEUE), WorkerSettings.DEFAULT_CONCURRENCY,
                0, workerId, dir, deadline);
        Member member = new Member(workerId, slot, child, ChildWorker.journal(dir, workerId));
        members.add(member);
        child.send("start");
        child.expect("STARTED", deadline);
        member.startedAt = System.currentTimeMillis();
        return member;
    }

    /** Ends every worker JVM, in parallel: each stops its worker (all tasks are done by now) and exits. */
    @Override
    public void close() {
        launcher.shutdownNow(); // a launch interrupted before its JVM joined the members closes that JVM itself
        try {
            launcher.awaitTermination(20, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        List<Thread> closing = new ArrayList<>();
        for (Member member : members) {
            Thread thread = new Thread(member.child::close, "chaos-close-" + member.workerId);
            thread.setDaemon(true);
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            try {
                thread.join(30_000); // ChildWorker.close waits 10 s, then kills
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
