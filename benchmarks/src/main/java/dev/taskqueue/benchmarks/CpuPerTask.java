package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The CPU a measured stretch of a scenario cost per task it handled: so that a change is judged by the work it
 * takes, not only by a rate that other processes on the machine make noisy.
 *
 * @param tasks the tasks handled in the stretch
 * @param jvmMicros CPU of the benchmark's JVM and its child processes (worker JVMs), µs per task; null if unknown
 * @param redisMicros CPU of the Redis server, µs per task; null if unknown
 * @param redisCommands per command family, the time Redis spent in it (wall clock: see {@link RedisCpu.Command})
 *        and its calls, per task, the costliest first
 */
record CpuPerTask(long tasks, @Nullable Double jvmMicros, @Nullable Double redisMicros,
        Map<String, Command> redisCommands) {

    /** How many command families {@link #describe()} names. */
    private static final int NAMED_COMMANDS = 3;

    /** One command family: µs in it (wall clock) and its calls, per task. */
    record Command(double micros, double calls) {
    }

    /** Per task, from the CPU used over the stretch ({@code jvmNanos}, {@code redis}: null when unknown). */
    static CpuPerTask of(long tasks, @Nullable Long jvmNanos, @Nullable RedisCpu redis) {
        double n = Math.max(1, tasks);
        Map<String, Command> commands = new LinkedHashMap<>();
        if (redis != null) {
            redis.commands().entrySet().stream()
                    .sorted(Comparator.comparingLong((Map.Entry<String, RedisCpu.Command> e) -> e.getValue().micros())
                            .reversed())
                    .forEach(e -> commands.put(e.getKey(),
                            new Command(e.getValue().micros() / n, e.getValue().calls() / n)));
        }
        return new CpuPerTask(tasks, jvmNanos == null ? null : jvmNanos / 1e3 / n,
                redis == null ? null : redis.seconds() * 1e6 / n, commands);
    }

    /** The median of each number over several runs of the same stretch (each over the runs that know it). */
    static CpuPerTask median(List<CpuPerTask> runs) {
        Map<String, List<Command>> byName = new LinkedHashMap<>();
        runs.forEach(r -> r.redisCommands.forEach((k, v) -> byName.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
        Map<String, Command> commands = new LinkedHashMap<>();
        byName.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), new Command(median(e.getValue(), Command::micros),
                        median(e.getValue(), Command::calls))))
                .sorted(Comparator.comparingDouble((Map.Entry<String, Command> e) -> e.getValue().micros()).reversed())
                .forEach(e -> commands.put(e.getKey(), e.getValue()));
        return new CpuPerTask(runs.get(0).tasks, median(runs, CpuPerTask::jvmMicros),
                median(runs, CpuPerTask::redisMicros), commands);
    }

    /** One line: "JVM 7.2 us/task; Redis 4.1 us/task; in commands (wall clock): EVALSHA 3.20 us (1.000 calls), ...". */
    String describe() {
        String named = redisCommands.entrySet().stream().limit(NAMED_COMMANDS)
                .map(e -> String.format(Locale.ROOT, "%s %.2f us (%.3f calls)", e.getKey().toUpperCase(Locale.ROOT),
                        e.getValue().micros(), e.getValue().calls()))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "JVM %s us/task; Redis %s us/task%s (%,d tasks)", micros(jvmMicros),
                micros(redisMicros), named.isEmpty() ? "" : "; in commands (wall clock): " + named, tasks);
    }

    /** µs with one decimal, or n/a. */
    static String micros(@Nullable Double micros) {
        return micros == null ? "n/a" : String.format(Locale.ROOT, "%,.1f", micros);
    }

    private static <T> @Nullable Double median(List<T> items, Function<T, @Nullable Double> value) {
        double[] v = items.stream().map(value).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sorted()
                .toArray();
        return v.length == 0 ? null : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
