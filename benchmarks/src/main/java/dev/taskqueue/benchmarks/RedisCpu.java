package dev.taskqueue.benchmarks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU a Redis server has used, from {@code INFO cpu} and {@code INFO commandstats}: counters that only grow,
 * so that the work of a stretch of time is the difference of two readings ({@link #since}).
 *
 * @param seconds {@code used_cpu_user + used_cpu_sys} (the whole process: main thread, I/O and background threads)
 *        plus the same of its forked children ({@code _children}: snapshots, rewrites)
 * @param commands per command family ({@code evalsha}, {@code client|setname}), its calls and the microseconds
 *        spent executing it; a command called from a script counts under its own name as well as the script's
 */
record RedisCpu(double seconds, Map<String, Command> commands) {

    /**
     * The calls of one command family, and the time spent in them (not reading or answering them): wall-clock time
     * between a command's start and end, so it includes any time Redis waited for a core meanwhile and may add up to
     * more than its CPU on a busy machine.
     */
    record Command(long calls, long micros) {
    }

    private static final String[] CPU_FIELDS = { "used_cpu_user", "used_cpu_sys", "used_cpu_user_children",
        "used_cpu_sys_children" };

    /**
     * Parses the replies of {@code INFO cpu} and {@code INFO commandstats}. Lines it does not know are skipped:
     * {@code used_cpu_*_main_thread} is part of the process's time, not added to it.
     */
    static RedisCpu parse(String infoCpu, String infoCommandstats) {
        Map<String, String> cpu = fields(infoCpu);
        double seconds = 0;
        for (String field : CPU_FIELDS) {
            String value = cpu.get(field);
            if (value == null) {
                throw new IllegalArgumentException("INFO cpu has no " + field + ": " + infoCpu);
            }
            seconds += Double.parseDouble(value);
        }
        Map<String, Command> commands = new LinkedHashMap<>();
        fields(infoCommandstats).forEach((name, value) -> {
            if (name.startsWith("cmdstat_")) {
                Map<String, String> stats = new LinkedHashMap<>();
                for (String pair : value.split(",")) {
                    int eq = pair.indexOf('=');
                    stats.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                commands.put(name.substring("cmdstat_".length()).toLowerCase(Locale.ROOT),
                        new Command(Long.parseLong(stats.get("calls")), Long.parseLong(stats.get("usec"))));
            }
        });
        return new RedisCpu(seconds, commands);
    }

    /** What was used after {@code earlier}: the differences, leaving out the commands not called since. */
    RedisCpu since(RedisCpu earlier) {
        Map<String, Command> used = new LinkedHashMap<>();
        commands.forEach((name, now) -> {
            Command before = earlier.commands.getOrDefault(name, new Command(0, 0));
            if (now.calls() > before.calls()) {
                used.put(name, new Command(now.calls() - before.calls(), now.micros() - before.micros()));
            }
        });
        return new RedisCpu(seconds - earlier.seconds, used);
    }

    /** {@code name:value} lines, the {@code # Section} headers and blank lines left out. */
    private static Map<String, String> fields(String info) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
