package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a scenario's runs gave: each run's outcome, and the figures combined over the runs (the median of each).
 *
 * @param name the scenario
 * @param description what it measures
 * @param runs each run, in order
 */
record ScenarioResult(String name, String description, List<Run> runs) {

    enum Status {
        OK, DID_NOT_FINISH, FAILED
    }

    /**
     * One run.
     *
     * @param status how it ended
     * @param message why it did not finish or failed, else null
     * @param figures what it measured (all of them, or those measured before it stopped)
     * @param notes lines to read beside the figures (what went wrong, and why), often none
     * @param seconds how long it took
     * @param otherCores CPU cores busy with other processes meanwhile (see {@link CpuMeter}), or null
     * @param loadAverage the load averages when it ended, or null
     * @param lpushPipelined {@code redis-benchmark}'s pipelined LPUSH rate measured right before it, or null
     */
    record Run(Status status, @Nullable String message, List<Figure> figures, List<String> notes, double seconds,
            @Nullable Double otherCores, @Nullable String loadAverage, @Nullable Double lpushPipelined) {

        Run withReference(@Nullable Double lpush) {
            return new Run(status, message, figures, notes, seconds, otherCores, loadAverage, lpush);
        }
    }

    /** The worst status of the runs. */
    Status status() {
        return runs.stream().map(Run::status).max(Enum::compareTo).orElse(Status.FAILED);
    }

    /** Each figure (in the order first measured) with the median of its values over the runs that have it. */
    List<Figure> figures() {
        Map<String, List<Figure>> byKey = new LinkedHashMap<>();
        for (Run run : runs) {
            for (Figure f : run.figures()) {
                byKey.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f);
            }
        }
        List<Figure> combined = new ArrayList<>();
        byKey.values().forEach(fs -> {
            List<CpuPerTask> cpus = fs.stream().map(Figure::cpu).filter(c -> c != null).toList();
            combined.add(fs.get(0).withValue(median(fs)).cpu(cpus.isEmpty() ? null : CpuPerTask.median(cpus)));
        });
        return combined;
    }

    /** Every run's value of a figure. */
    List<Double> values(String key) {
        List<Double> values = new ArrayList<>();
        for (Run run : runs) {
            run.figures().stream().filter(f -> f.key().equals(key)).forEach(f -> values.add(f.value()));
        }
        return values;
    }

    /** Each run's value of a rate divided by that run's own reference (the runs that have both). */
    List<Double> ratios(String key) {
        List<Double> ratios = new ArrayList<>();
        for (Run run : runs) {
            run.figures().stream().filter(f -> f.key().equals(key)).map(f -> f.ratioTo(run.lpushPipelined()))
                    .filter(r -> r != null).forEach(ratios::add);
        }
        return ratios;
    }

    /**
     * The median of {@link #ratios}, or null when no run has its own reference (then the sitting's reference, taken
     * before every scenario, is all there is).
     */
    @Nullable Double ratio(String key) {
        List<Double> ratios = ratios(key);
        return ratios.isEmpty() ? null : median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Every run's CPU per task of a figure (the runs that measured it). */
    List<CpuPerTask> cpus(String key) {
        List<CpuPerTask> cpus = new ArrayList<>();
        for (Run run : runs) {
            run.figures().stream().filter(f -> f.key().equals(key) && f.cpu() != null).forEach(f -> cpus.add(f.cpu()));
        }
        return cpus;
    }

    /** Whether any figure has a CPU per task: else "per task" has no meaning for it, and the report says n/a. */
    boolean measuresCpuPerTask() {
        return runs.stream().flatMap(r -> r.figures().stream()).anyMatch(f -> f.cpu() != null);
    }

    /** The largest other-process load of the runs, or null. */
    @Nullable Double otherCores() {
        return runs.stream().map(Run::otherCores).filter(c -> c != null).max(Double::compare).orElse(null);
    }

    private static double median(List<Figure> figures) {
        return median(figures.stream().mapToDouble(Figure::value).toArray());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
