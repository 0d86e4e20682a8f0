package dev.taskqueue.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.internal.Durations;
import dev.taskqueue.worker.WorkerSettings;
import org.jspecify.annotations.Nullable;

/**
 * The command line.
 *
 * @param sizes full (the default), {@code --quick} or {@code --smoke}, with the chaos plan that {@code --workers},
 *        {@code --duration}, {@code --kill-interval}, {@code --rate}, {@code --settle} and {@code --no-hostile} set
 * @param scenarios the scenarios to run ({@code --scenario a,b}); empty: all
 * @param runs how many times each scenario runs; figures are the medians ({@code --runs 3})
 * @param output where the JSON goes ({@code --output file}); null: next to the jar
 * @param concurrency the workers' concurrency, fixed ({@code --concurrency 256} by default: for no-op tasks it sets
 *        how many a claim takes at once), or {@link #ADAPTIVE} ({@code --concurrency adaptive}): the engine's
 *        default, which adapts to the tasks seen
 * @param redisBenchmark the {@code redis-benchmark} to run ({@code --redis-benchmark path}), {@code none} to skip;
 *        null: the one on the PATH
 * @param redisUri the user's Redis to run against ({@code --redis-uri redis://host:port}), fault scenarios only;
 *        null: a redis-server of the benchmark's own
 * @param list whether to list the scenarios and stop ({@code --list})
 * @param help whether to print the usage and stop ({@code --help})
 */
record Options(Sizes sizes, List<String> scenarios, int runs, @Nullable Path output, int concurrency,
        @Nullable String redisBenchmark, @Nullable String redisUri, boolean list, boolean help) {

    /**
     * The workers' concurrency for the benchmark: short tasks are bound by round trips, and concurrency sets how
     * many tasks each claim takes. With virtual threads (Java 21+) or a pool, idle slots cost nothing.
     */
    static final int DEFAULT_CONCURRENCY = 256;

    /** {@code --concurrency adaptive}: the workers keep the engine's default, adaptive concurrency. */
    static final int ADAPTIVE = 0;

    /** A fixed concurrency, or {@link #ADAPTIVE}. */
    private static int concurrency(String value, String option) {
        return value.equals("adaptive") ? ADAPTIVE : positive(value, option);
    }

    /** How the report names the concurrency. */
    String concurrencyLabel() {
        return concurrency == ADAPTIVE ? "adaptive (the engine's default)" : Integer.toString(concurrency);
    }


    static final String USAGE = """
            java -jar benchmarks/target/benchmarks.jar [options]
              --quick                 smaller sizes (about a quarter of the time)
              --smoke                 tiny sizes: every scenario in seconds, figures meaningless
              --scenario a,b          only these scenarios (see --list; 'chaos' runs only when named)
              --runs N                run each scenario N times and report the medians (default 1)
              --concurrency N         worker concurrency, fixed (default %d); 'adaptive': the engine's default
                                      (adapts from %d up to its ceiling)
              --output FILE           the JSON results (default: benchmark-results.json next to the jar)
              --redis-benchmark PATH  the redis-benchmark binary, or 'none' (default: from the PATH)
              --list                  list the scenarios
            chaos scenario (kills worker JVMs and restarts Redis while tasks flow):
              --redis-uri URI         run it against this Redis instead of one of its own (never restarted,
                                      never emptied: only the benchmark's keys are written and deleted)
              --workers N             worker JVMs (default %d)
              --duration D            how long tasks are submitted, e.g. 90s, 5m (default %s; --quick %s)
              --kill-interval D       time between two faults (default %s; --quick %s)
              --rate N                units of work submitted per second (default %d)
              --settle D              how long units have to finish after the last submit, or count as lost
                                      (default %s; above 5m, a task held under a live worker's lease comes back)
              --no-hostile            leave out the malformed data written into the queue during the run
            """.formatted(DEFAULT_CONCURRENCY, WorkerSettings.DEFAULT_CONCURRENCY, Sizes.FULL.chaos().workers(),
            seconds(Sizes.FULL.chaos().duration()), seconds(Sizes.QUICK.chaos().duration()),
            seconds(Sizes.FULL.chaos().killInterval()), seconds(Sizes.QUICK.chaos().killInterval()),
            Sizes.FULL.chaos().rate(), seconds(Sizes.FULL.chaos().settle()));

    private static String seconds(Duration duration) {
        return duration.toSeconds() + "s";
    }

    static Options parse(String... args) {
        Sizes sizes = Sizes.FULL;
        List<String> scenarios = new ArrayList<>();
        int runs = 1;
        Path output = null;
        int concurrency = DEFAULT_CONCURRENCY;
        String redisBenchmark = null;
        String redisUri = null;
        Integer workers = null;
        Duration duration = null;
        Duration killInterval = null;
        Integer rate = null;
        Duration settle = null;
        boolean noHostile = false;
        boolean list = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> sizes = Sizes.QUICK;
                case "--smoke" -> sizes = Sizes.SMOKE;
                case "--scenario" -> scenarios.addAll(List.of(value(args, ++i, arg).split(",")));
                case "--runs" -> runs = positive(value(args, ++i, arg), arg);
                case "--concurrency" -> concurrency = concurrency(value(args, ++i, arg), arg);
                case "--output" -> output = Path.of(value(args, ++i, arg));
                case "--redis-benchmark" -> redisBenchmark = value(args, ++i, arg);
                case "--redis-uri" -> redisUri = value(args, ++i, arg);
                case "--workers" -> workers = positive(value(args, ++i, arg), arg);
                case "--duration" -> duration = duration(value(args, ++i, arg), arg);
                case "--kill-interval" -> killInterval = duration(value(args, ++i, arg), arg);
                case "--rate" -> rate = positive(value(args, ++i, arg), arg);
                case "--settle" -> settle = duration(value(args, ++i, arg), arg);
                case "--no-hostile" -> noHostile = true;
                case "--list" -> list = true;
                case "--help", "-h" -> help = true;
                default -> throw new IllegalArgumentException("Unknown option '" + arg + "'\n" + USAGE);
            }
        }
        sizes = sizes.withChaos(sizes.chaos().with(workers, duration, killInterval, rate, settle, noHostile));
        return new Options(sizes, List.copyOf(scenarios), runs, output, concurrency, redisBenchmark, redisUri, list,
                help);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    private static Duration duration(String value, String option) {
        Duration parsed = Durations.parse(value.matches("\\d+") ? value + "s" : value);
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            throw new IllegalArgumentException(option + " needs a positive duration such as 90s or 2m, got '" + value
                    + "'");
        }
        return parsed;
    }

    private static int positive(String value, String option) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, got '" + value + "'");
    }
}
