package dev.taskqueue.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskqueue.worker.Worker;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

/**
 * A worker JVM for the scenarios that need one of their own (kill -9, two JVMs on one queue, heap watch, chaos):
 * {@code java -cp benchmarks.jar dev.taskqueue.benchmarks.WorkerMain <queues,...> <concurrency> <hold ms>
 * <fast workers> <worker id> [<run journal>]}, with the Redis URI in the environment variable
 * {@value #REDIS_URI_VARIABLE} (not on the command line, where {@code ps} would show its password).
 *
 * <p>Driven by lines on stdin, answered on stdout:
 * <ol>
 * <li>{@code start}: starts a worker ({@code STARTED <id>}); {@code stop}: stops it ({@code STOPPED}), so that a
 * warm JVM can drain again with a fresh worker;</li>
 * <li>{@code heap}: a full GC, then {@code HEAP <bytes used>};</li>
 * <li>{@code problems}: what keeps failing in its worker ({@link Worker#problems()}, what the health check shows),
 * {@code PROBLEMS none} or {@code PROBLEMS <what>: <since when, the error> | ...} on one line;</li>
 * <li>{@code exit}, or stdin closing (the benchmark is gone): exits.</li>
 * </ol>
 * {@code bench.hold} tasks print {@code HOLD <key>} as they start, then hold their slot for {@code hold ms}.
 */
public final class WorkerMain {

    /** The environment variable that holds the Redis URI. */
    static final String REDIS_URI_VARIABLE = "TASKQUEUE_BENCH_REDIS_URI";

    /** However it is driven, a child never outlives this. */
    private static final long MAX_LIFETIME_MILLIS = 30 * 60_000;

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        RedisURI redis = RedisURI.create(System.getenv(REDIS_URI_VARIABLE));
        List<String> queues = List.of(args[0].split(","));
        int concurrency = Integer.parseInt(args[1]);
        long holdMillis = Long.parseLong(args[2]);
        boolean fastWorkers = Boolean.parseBoolean(args[3]);
        String workerId = args[4];
        ChaosTasks chaos = args.length > 5 ? new ChaosTasks(RunJournal.appendingTo(Path.of(args[5]))) : null;
        Thread reaper = new Thread(() -> {
            Deadline.sleep(MAX_LIFETIME_MILLIS);
            Runtime.getRuntime().halt(3);
        }, "lifetime-limit");
        reaper.setDaemon(true);
        reaper.start();

        BenchTasks tasks = new BenchTasks(holdMillis, key -> say("HOLD " + key));
        try (Engine engine = new Engine(redis, tasks, chaos, concurrency, fastWorkers)) {
            say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            Worker worker = null;
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "start" -> {
                        worker = engine.startWorker(queues, s -> s.workerId(workerId));
                        say("STARTED " + worker.id());
                    }
                    case "stop" -> {
                        if (worker != null) {
                            engine.stopWorker(worker);
                            worker = null;
                        }
                        say("STOPPED");
                    }
                    case "heap" -> say("HEAP " + heapUsedAfterGc());
                    case "problems" -> say("PROBLEMS " + problems(worker));
                    case "exit" -> {
                        return;
                    }
                    default -> say("ERROR unknown command " + line);
                }
            }
        }
        catch (Throwable ex) {
            say("ERROR " + ex);
            ex.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the engine's threads are daemons, but Lettuce's event loops are not
    }

    /** Heap in use after full collections: what the process keeps, not what it has not collected yet. */
    static long heapUsedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Deadline.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The worker's problems on one line, {@code none} when nothing fails (or no worker runs). */
    private static String problems(@Nullable Worker worker) {
        Map<String, String> problems = worker == null ? Map.of() : worker.problems();
        if (problems.isEmpty()) {
            return "none";
        }
        List<String> described = new ArrayList<>();
        problems.forEach((what, how) -> described.add(what + ": " + how));
        return String.join(" | ", described).replaceAll("\\s+", " ");
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
