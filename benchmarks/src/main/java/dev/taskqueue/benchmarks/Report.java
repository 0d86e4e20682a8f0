package dev.taskqueue.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prints the results as a table, and writes them as JSON. Every rate is also shown as a fraction of the
 * pipelined LPUSH rate of {@code redis-benchmark} on the same server.
 */
final class Report {

    private final Options options;
    private final Map<String, Object> environment;
    private final RedisReference reference;
    private final List<ScenarioResult> results;
    private final @Nullable String loadBefore;
    private final @Nullable String loadAfter;

    Report(Options options, Map<String, Object> environment, RedisReference reference, List<ScenarioResult> results,
            @Nullable String loadBefore, @Nullable String loadAfter) {
        this.options = options;
        this.environment = environment;
        this.reference = reference;
        this.results = results;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
    }

    void print(PrintStream out) {
        Double lpush = reference.lpushPipelined();
        out.println();
        out.printf("taskqueue benchmarks: %s sizes, %d run(s) per scenario (medians), worker concurrency %s%n",
                options.sizes().mode(), options.runs(), options.concurrencyLabel());
        out.println(Environment.summary(environment));
        out.printf("load average (1 5 15 min): %s before, %s after%n", loadBefore, loadAfter);
        if (reference.note() != null) {
            out.println("redis-benchmark: " + reference.note());
        }
        String row = "%-15s %-48s %16s %8s %16s %-6s %11s %13s %s%n";
        out.printf(row, "scenario", "figure", "value", "/LPUSH16", "target", "", "JVM us/task", "Redis us/task",
                "other CPU");
        out.println("-".repeat(151));
        for (Figure f : reference.figures()) {
            out.printf(row, "redis-benchmark", f.label(), f.formattedValue(), ratio(f, lpush), "", "", NOT_PER_TASK,
                    NOT_PER_TASK, "");
        }
        for (ScenarioResult result : results) {
            boolean first = true;
            // a scenario whose work is not counted in tasks says so once, on its first row
            boolean perTask = result.measuresCpuPerTask();
            for (Figure f : result.figures()) {
                Boolean met = f.met();
                CpuPerTask cpu = f.cpu();
                String none = first && !perTask ? NOT_PER_TASK : "";
                out.printf(row, first ? result.name() : "", f.label(), f.formattedValue(), ratio(result, f, lpush),
                        f.formattedTarget(), met == null ? "" : met ? "met" : "MISSED",
                        cpu == null ? none : CpuPerTask.micros(cpu.jvmMicros()),
                        cpu == null ? none : CpuPerTask.micros(cpu.redisMicros()),
                        first ? cores(result.otherCores()) : "");
                first = false;
            }
            if (result.status() != ScenarioResult.Status.OK) {
                for (ScenarioResult.Run run : result.runs()) {
                    if (run.message() != null) {
                        out.printf(row, first ? result.name() : "", run.status() + ": " + run.message(), "", "", "",
                                "", "", "", "");
                        first = false;
                    }
                }
            }
        }
        out.println("(/LPUSH16: a rate divided by redis-benchmark's pipelined LPUSH rate on this server, measured "
                + "again right before each run (the median of the runs' own ratios; " + references() + "); JVM and "
                + "Redis us/task: CPU microseconds per task of the work that figure measured, of the benchmark's JVM "
                + "with its worker JVMs, and of Redis (medians); n/a: not counted in tasks; other CPU: cores busy "
                + "with other processes during the scenario)");
        for (ScenarioResult result : results) {
            for (int i = 0; i < result.runs().size(); i++) {
                List<String> notes = result.runs().get(i).notes();
                if (!notes.isEmpty()) {
                    out.printf("%n%s, run %d:%n", result.name(), i + 1);
                    notes.forEach(note -> out.println("  " + note));
                }
            }
        }
    }

    /** What the CPU columns say where the work is not counted in tasks. */
    private static final String NOT_PER_TASK = "n/a";

    /** A scenario's figure over its runs' own references, else over the sitting's. */
    private static String ratio(ScenarioResult result, Figure f, @Nullable Double lpush) {
        Double own = result.ratio(f.key()); // null for a figure that is not a rate
        return own != null ? String.format(Locale.ROOT, "%.4f", own) : ratio(f, lpush);
    }

    /** The range of the references measured before the runs, for the reader to see the machine's drift. */
    private String references() {
        double[] all = results.stream().flatMap(r -> r.runs().stream()).map(ScenarioResult.Run::lpushPipelined)
                .filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
        if (all.length == 0) {
            return "none measured: the sitting's own above";
        }
        return String.format(Locale.ROOT, "%,.0f-%,.0f/s before the runs", Arrays.stream(all).min().getAsDouble(),
                Arrays.stream(all).max().getAsDouble());
    }

    private static String ratio(Figure f, @Nullable Double lpush) {
        Double r = f.ratioTo(lpush);
        return r == null ? "" : String.format(Locale.ROOT, "%.4f", r);
    }

    private static String cores(@Nullable Double cores) {
        return cores == null ? "" : String.format(Locale.ROOT, "%.2f cores", cores);
    }

    void write(Path file) throws IOException {
        Double lpush = reference.lpushPipelined();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("finished", Instant.now().toString());
        json.put("mode", options.sizes().mode());
        json.put("sizes", options.sizes());
        json.put("runs", options.runs());
        json.put("concurrency", options.concurrencyLabel());
        json.put("environment", environment);
        json.put("loadAverageBefore", loadBefore);
        json.put("loadAverageAfter", loadAfter);
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("binary", reference.binary() == null ? null : reference.binary().toString());
        ref.put("note", reference.note());
        ref.put("figures", reference.figures().stream().map(f -> {
            Map<String, Object> m = figure(f, lpush, List.of(f.value()), List.of());
            m.put("cpuPerTask", NOT_PER_TASK);
            return m;
        }).toList());
        json.put("redisBenchmark", ref);
        List<Object> scenarios = new ArrayList<>();
        for (ScenarioResult result : results) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", result.name());
            s.put("description", result.description());
            s.put("status", result.status());
            s.put("figures", result.figures().stream()
                    .map(f -> figure(result, f, lpush)).toList());
            if (!result.measuresCpuPerTask()) {
                s.put("cpuPerTask", NOT_PER_TASK);
            }
            s.put("runs", result.runs().stream().map(r -> {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("status", r.status());
                run.put("message", r.message());
                run.put("seconds", r.seconds());
                run.put("otherCores", r.otherCores());
                run.put("loadAverage", r.loadAverage());
                run.put("lpushPipelined", r.lpushPipelined());
                run.put("notes", r.notes());
                return run;
            }).toList());
            scenarios.add(s);
        }
        json.put("scenarios", scenarios);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** A scenario's figure: its ratio is the median over the runs' own references, and the sitting's beside it. */
    private static Map<String, Object> figure(ScenarioResult result, Figure f, @Nullable Double lpush) {
        Map<String, Object> m = figure(f, lpush, result.values(f.key()), result.cpus(f.key()));
        Double own = result.ratio(f.key());
        if (own != null) {
            m.put("ratioToSittingReference", m.get("ratioToLpushPipelined"));
            m.put("ratioToLpushPipelined", own);
            m.put("ratiosToOwnReference", result.ratios(f.key()));
        }
        return m;
    }

    private static Map<String, Object> figure(Figure f, @Nullable Double lpush, List<Double> values,
            List<CpuPerTask> cpus) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", f.key());
        m.put("label", f.label());
        m.put("value", f.value());
        m.put("unit", f.unit().symbol);
        m.put("values", values);
        m.put("ratioToLpushPipelined", f.ratioTo(lpush));
        m.put("target", f.target() == null ? null : f.formattedTarget());
        m.put("met", f.met());
        m.put("cpuPerTask", f.cpu() == null ? null : cpu(f.cpu(), cpus));
        return m;
    }

    /** The CPU per task (medians), and each run's. */
    private static Map<String, Object> cpu(CpuPerTask median, List<CpuPerTask> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasks", median.tasks());
        m.put("jvmMicros", median.jvmMicros());
        m.put("redisMicros", median.redisMicros());
        m.put("jvmMicrosValues", runs.stream().map(CpuPerTask::jvmMicros).toList());
        m.put("redisMicrosValues", runs.stream().map(CpuPerTask::redisMicros).toList());
        m.put("redisCommandsPerTask", median.redisCommands()); // {"evalsha": {"micros": 3.2, "calls": 1.0}, ...}
        return m;
    }
}
