package dev.taskqueue.benchmarks;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TransactionMode;

/**
 * The benchmark, end to end:
 * <ol>
 * <li>starts a redis-server on a free loopback port (no persistence; an append-only file when a fault scenario
 * will restart it), or connects to the user's ({@code --redis-uri}, fault scenarios only);</li>
 * <li>measures the reference: {@code redis-benchmark} LPUSH and SET, pipelined and not (own server only), and the
 * pipelined LPUSH again before each run, which that run's rates are divided by;</li>
 * <li>warms the JIT up with a drain of each kind of task (unless only fault scenarios run);</li>
 * <li>runs each scenario against an emptied Redis, in a thread of its own, within its time limit;</li>
 * <li>prints the table, writes the JSON, and stops everything it started.</li>
 * </ol>
 * Targets are reported, never enforced: the exit status is 0 unless a scenario did not finish or failed (a fault
 * scenario fails when it finds a task lost or a wrong result).
 */
public final class Benchmarks {

    /** Every scenario, in the order they run; those that inject faults run only when named. */
    static final List<Scenario> SCENARIOS = List.of(new DrainScenario(false), new DrainScenario(true),
            new BulkSubmitScenario(), new ThreadedSubmitScenario(),
            new TransactionScenario(TransactionMode.AFTER_COMMIT), new TransactionScenario(TransactionMode.OUTBOX),
            new LatencyScenario(1_000, 0.5, 5),
            new LatencyScenario(10_000, Double.NaN, 20), new DelayedScenario(), new ChordScenario(), new KillScenario(),
            new MemoryScenario(), new HeapScenario(), new GrowthScenario(GrowthScenario.Dimension.DEPTH),
            new GrowthScenario(GrowthScenario.Dimension.QUEUES), new GrowthScenario(GrowthScenario.Dimension.JVMS),
            new ChaosScenario(), new DashboardPagesScenario(), new CeleryScenario());

    /** What runs without {@code --scenario}. */
    static final List<Scenario> DEFAULT_SCENARIOS = SCENARIOS.stream().filter(s -> !s.runsOnlyWhenNamed()).toList();

    /** A scenario that ignored its deadline gets this long after it before it is abandoned. */
    private static final Duration GRACE = Duration.ofSeconds(15);

    private Benchmarks() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out);
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            status = 2;
        }
        catch (Exception ex) {
            ex.printStackTrace();
            status = 1;
        }
        System.exit(status); // Lettuce's and the JDK's pools would keep the JVM up for a while
    }

    /** Runs what {@code args} ask; returns 0, or 1 if a scenario did not finish or failed. */
    static int run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args);
        if (options.help() || options.list()) {
            out.print(options.help() ? Options.USAGE : "");
            SCENARIOS.forEach(s -> out.printf("%-15s %s%s%n", s.name(), s.description(),
                    s.runsOnlyWhenNamed() ? " (only when named)" : ""));
            return 0;
        }
        List<Scenario> selected = select(options.scenarios());
        boolean onlyFaults = selected.stream().allMatch(Scenario::injectsFaults);
        if (options.redisUri() != null && !onlyFaults) {
            throw new IllegalArgumentException("--redis-uri runs only fault scenarios (--scenario chaos): the others "
                    + "empty the server, benchmark it and measure its memory, which they must not do to yours");
        }
        String loadBefore = CpuMeter.loadAverage();
        List<ScenarioResult> results = new ArrayList<>();
        try (BenchRedis redis = options.redisUri() != null ? BenchRedis.external(options.redisUri())
                : BenchRedis.start(selected.stream().anyMatch(Scenario::injectsFaults))) {
            Map<String, Object> environment = Environment.describe(redis.describe());
            out.println("Redis " + redis.describe());
            RedisReference reference = redis.isOwn()
                    ? RedisReference.measure(options.redisBenchmark(), redis.port(),
                            options.sizes().referencePipelined(), options.sizes().referencePlain())
                    : new RedisReference(null, List.of(), "not run against your Redis (--redis-uri)");
            redis.clear();
            Bench bench = new Bench(options, redis, out);
            if (!onlyFaults) {
                warmUp(bench, out);
            }
            CpuMeter meter = new CpuMeter(redis::pid);
            for (Scenario scenario : selected) {
                List<ScenarioResult.Run> runs = new ArrayList<>();
                for (int i = 1; i <= options.runs(); i++) {
                    // not for a fault scenario: its server keeps an append-only file, which a restart replays
                    Double lpush = null;
                    if (!scenario.injectsFaults()) {
                        redis.clear(); // the reference measures an empty server, as the sitting's did
                        lpush = reference.lpushPipelinedNow(redis.port(), options.sizes().referencePipelined());
                    }
                    redis.clear();
                    ScenarioResult.Run run = runOnce(scenario, bench, meter).withReference(lpush);
                    runs.add(run);
                    out.printf("%-15s run %d/%d: %s in %.1f s%s%n", scenario.name(), i, options.runs(),
                            run.message() == null ? "done" : run.message(), run.seconds(),
                            run.otherCores() == null ? "" : String.format(", other processes %.2f cores",
                                    run.otherCores()));
                }
                results.add(new ScenarioResult(scenario.name(), scenario.description(), runs));
            }
            redis.clear();
            Report report = new Report(options, environment, reference, results, loadBefore,
                    CpuMeter.loadAverage());
            report.print(out);
            Path output = options.output() != null ? options.output() : besideTheJar();
            report.write(output);
            out.println("JSON: " + output.toAbsolutePath());
        }
        return results.stream().allMatch(r -> r.status() == ScenarioResult.Status.OK) ? 0 : 1;
    }

    private static List<Scenario> select(List<String> names) {
        if (names.isEmpty()) {
            return DEFAULT_SCENARIOS;
        }
        List<Scenario> selected = new ArrayList<>();
        for (String name : names) {
            selected.add(SCENARIOS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("No scenario '" + name + "'; --list shows them")));
        }
        return selected;
    }

    /**
     * Warms the hot paths up until the JIT compiler is quiet, so that the scenarios measure compiled code: rounds of
     * draining both kinds of task (and no-op tasks spread over many queues) and of single submits from threads, until
     * a round was quiet ({@link JitWatch}; at most {@link Sizes#maxWarmupRounds()} rounds). One fixed round was not
     * enough: C2 still compiled about 260 methods in the first measured drain and 90 in the second, whose JVM CPU per
     * task was 11.9 and 10.3 µs against 8.7–9.1 µs in the three after them. Without the drain over many queues, C2
     * took half the JVM's samples during the drain over 100 queues of {@code growth-queues}.
     */
    private static void warmUp(Bench bench, PrintStream out) {
        int tasks = bench.sizes.warmupTasks();
        int rounds = bench.sizes.maxWarmupRounds();
        Deadline deadline = Deadline.in(Duration.ofSeconds(rounds * (60 + tasks / 2_000L)));
        try (Engine engine = bench.engine()) {
            for (int round = 1; round <= rounds; round++) {
                JitWatch jit = JitWatch.start();
                Drain.inProcess(bench, engine, TaskCall.of(BenchTasks::noop), List.of(Engine.QUEUE), tasks, deadline);
                Drain.inProcess(bench, engine, TaskCall.of(BenchTasks::noopStored), List.of(Engine.QUEUE), tasks,
                        deadline);
                Drain.inProcess(bench, engine, TaskCall.of(BenchTasks::noop), Bench.queues(bench.sizes.manyQueues()),
                        tasks / 2, deadline);
                ThreadedSubmitScenario.submitFromThreads(engine, tasks / 2, bench.sizes.submitThreads(), deadline);
                bench.redis.clear();
                String done = String.format(
                        "drained %,d tasks of each kind (and %,d over %d queues) and submitted %,d one by one in %,d ms",
                        tasks, tasks / 2, bench.sizes.manyQueues(), tasks / 2, jit.elapsedMillis());
                if (!JitWatch.measurable()) {
                    out.println("warming up: " + done);
                    return;
                }
                out.printf("warming up: round %d %s; JIT compiling %,d ms%n", round, done, jit.compilingMillis());
                if (jit.quiet() || round == rounds) {
                    return;
                }
            }
        }
        catch (Exception ex) {
            out.println("warm-up incomplete (" + ex.getMessage() + "); the first scenario may read low");
        }
        finally {
            bench.redis.clear();
        }
    }

    /** One run in a thread of its own: a scenario that hangs is abandoned after its limit, not waited for. */
    private static ScenarioResult.Run runOnce(Scenario scenario, Bench bench, CpuMeter meter) {
        Duration limit = scenario.timeLimit(bench.sizes);
        Deadline deadline = Deadline.in(limit);
        Findings findings = new Findings();
        FutureTask<Void> task = new FutureTask<>(() -> {
            scenario.run(bench, deadline, findings);
            return null;
        });
        Thread thread = new Thread(task, "scenario-" + scenario.name());
        thread.setDaemon(true);
        CpuMeter.Sample before = meter.sample();
        long start = System.nanoTime();
        ScenarioResult.Status status = ScenarioResult.Status.OK;
        String message = null;
        thread.start();
        try {
            task.get(limit.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            task.cancel(true);
            status = ScenarioResult.Status.DID_NOT_FINISH;
            message = "did not finish within " + limit.toSeconds() + " s; abandoned";
            join(thread, GRACE);
        }
        catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            boolean late = cause instanceof Deadline.DidNotFinish || cause instanceof TimeoutException;
            status = late ? ScenarioResult.Status.DID_NOT_FINISH : ScenarioResult.Status.FAILED;
            message = late ? cause.getMessage() + " (limit " + limit.toSeconds() + " s)"
                    : cause instanceof Scenario.Failed ? "correctness failure: " + cause.getMessage()
                    : "failed: " + cause;
            if (!late && !(cause instanceof Scenario.Failed)) {
                cause.printStackTrace();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            status = ScenarioResult.Status.DID_NOT_FINISH;
            message = "interrupted";
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new ScenarioResult.Run(status, message, findings.figures(), findings.notes(), seconds,
                CpuMeter.otherCores(before, meter.sample()), CpuMeter.loadAverage(), null);
    }

    private static void join(Thread thread, Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code benchmark-results.json} in the directory of the jar (or of the classes): {@code benchmarks/target}. */
    private static Path besideTheJar() throws URISyntaxException {
        Path location = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = location.getParent() != null ? location.getParent() : Path.of(".");
        return dir.resolve("benchmark-results.json");
    }
}
