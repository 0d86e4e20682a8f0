package dev.taskqueue.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * What Redis itself does on this machine, measured by {@code redis-benchmark} against the benchmark's server:
 * LPUSH and SET, pipelined 16 deep and unpipelined. Every rate the harness prints is also shown as a fraction of
 * the pipelined LPUSH rate, so that figures from different machines can be compared.
 *
 * @param binary the redis-benchmark that ran, or null when there was none
 * @param figures the rates, named like {@code LPUSH -P 16}
 * @param note why there are no figures, or what went wrong
 */
record RedisReference(@Nullable Path binary, List<Figure> figures, @Nullable String note) {

    static final String LPUSH_PIPELINED = "LPUSH -P 16";

    private static final Pattern RATE = Pattern.compile("^([A-Z_]+)[^:]*: ([0-9.]+) requests per second",
            Pattern.MULTILINE);

    private static final long TIME_LIMIT_SECONDS = 120;

    /** The pipelined LPUSH rate, or null without redis-benchmark. */
    @Nullable Double lpushPipelined() {
        return figures.stream().filter(f -> f.label().equals(LPUSH_PIPELINED)).map(Figure::value).findFirst()
                .orElse(null);
    }

    /**
     * Runs {@code redis-benchmark -q -p <port> -P 16 -t lpush,set -n <pipelined>}, then {@code -P 1} with
     * {@code <plain>} requests.
     *
     * @param requested a path, {@code none}, or null for the one on the PATH
     */
    static RedisReference measure(@Nullable String requested, int port, int pipelined, int plain) {
        if ("none".equals(requested)) {
            return new RedisReference(null, List.of(), "skipped (--redis-benchmark none)");
        }
        Path binary = requested != null ? Path.of(requested) : onPath("redis-benchmark");
        if (binary == null || !Files.isExecutable(binary)) {
            return new RedisReference(null, List.of(), "redis-benchmark is not on the PATH: absolute figures only "
                    + "(install Redis' tools, e.g. apt-get install redis-tools, to get the ratios)");
        }
        List<Figure> figures = new ArrayList<>();
        try {
            for (int depth : new int[] { 16, 1 }) {
                int requests = depth == 1 ? plain : pipelined;
                String output = run(command(binary, port, depth, "lpush,set", requests));
                parse(output).forEach((command, rate) -> figures.add(Figure.rate(
                        "redis-benchmark." + command.toLowerCase() + ".p" + depth, command + " -P " + depth, rate)));
            }
        }
        catch (IOException | RuntimeException ex) {
            return new RedisReference(binary, figures, "redis-benchmark failed: " + ex.getMessage());
        }
        return new RedisReference(binary, figures, null);
    }

    /**
     * The pipelined LPUSH rate now ({@code redis-benchmark -P 16 -t lpush -n <requests>}), measured again before each
     * run of a scenario: this machine's speed drifts within a sitting (0.8–1.3M/s in one afternoon), and a run's rate
     * divided by a reference taken minutes earlier carries that drift. Null when it cannot be measured (the sitting's
     * reference says why).
     */
    @Nullable Double lpushPipelinedNow(int port, int requests) {
        if (binary == null) {
            return null;
        }
        try {
            return parse(run(command(binary, port, 16, "lpush", requests))).get("LPUSH");
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /** {@code redis-benchmark -q} of {@code tests} at pipeline {@code depth} against the loopback server. */
    private static List<String> command(Path binary, int port, int depth, String tests, int requests) {
        return List.of(binary.toString(), "-q", "-h", "127.0.0.1", "-p", Integer.toString(port), "-P",
                Integer.toString(depth), "-t", tests, "-n", Integer.toString(requests));
    }

    /** The rates in {@code redis-benchmark -q} output, by command. */
    static Map<String, Double> parse(String output) {
        Map<String, Double> rates = new LinkedHashMap<>();
        Matcher m = RATE.matcher(output.replace('\r', '\n'));
        while (m.find()) {
            rates.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return rates;
    }

    private static String run(List<String> command) throws IOException {
        Path out = Files.createTempFile("redis-benchmark", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start();
            if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIME_LIMIT_SECONDS + " s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0 || parse(text).isEmpty()) {
                throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                        + text.strip());
            }
            return text;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        finally {
            Files.deleteIfExists(out);
        }
    }

    static @Nullable Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
