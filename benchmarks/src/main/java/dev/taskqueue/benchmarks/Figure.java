package dev.taskqueue.benchmarks;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * One measured number, with its unit and, when the issue sets one, its target.
 *
 * @param key a stable name for the JSON ({@code drain.rate})
 * @param label what the table shows
 * @param value the number, in {@code unit}
 * @param unit its unit
 * @param target the target it should meet, or null
 * @param cpu what the work it measured cost in CPU per task, or null where it was not measured
 */
record Figure(String key, String label, double value, Unit unit, @Nullable Target target, @Nullable CpuPerTask cpu) {

    /** Units; only rates get a ratio to the pipelined LPUSH rate. */
    enum Unit {
        PER_SECOND("/s"), MILLIS("ms"), BYTES("B"), MEGABYTES("MB"), COUNT(""), RATIO("x");

        final String symbol;

        Unit(String symbol) {
            this.symbol = symbol;
        }
    }

    /** A bound a figure should stay on the right side of. */
    record Target(boolean atLeast, double bound) {

        static Target atLeast(double bound) {
            return new Target(true, bound);
        }

        static Target atMost(double bound) {
            return new Target(false, bound);
        }

        boolean metBy(double value) {
            return atLeast ? value >= bound : value <= bound;
        }
    }

    static Figure rate(String key, String label, double perSecond) {
        return new Figure(key, label, perSecond, Unit.PER_SECOND, null, null);
    }

    static Figure millis(String key, String label, double millis) {
        return new Figure(key, label, millis, Unit.MILLIS, null, null);
    }

    static Figure count(String key, String label, double count) {
        return new Figure(key, label, count, Unit.COUNT, null, null);
    }

    static Figure of(String key, String label, double value, Unit unit) {
        return new Figure(key, label, value, unit, null, null);
    }

    Figure target(Target target) {
        return new Figure(key, label, value, unit, target, cpu);
    }

    /** With the CPU per task of the work it measured (a {@link CpuWatch}'s). */
    Figure cpu(@Nullable CpuPerTask perTask) {
        return new Figure(key, label, value, unit, target, perTask);
    }

    Figure withValue(double newValue) {
        return new Figure(key, label, newValue, unit, target, cpu);
    }

    /** Whether it meets its target; null without one. */
    @Nullable Boolean met() {
        return target == null ? null : target.metBy(value);
    }

    /** The value as a fraction of {@code lpushPipelined} (requests/s), for rates; else null. */
    @Nullable Double ratioTo(@Nullable Double lpushPipelined) {
        return unit == Unit.PER_SECOND && lpushPipelined != null && lpushPipelined > 0 ? value / lpushPipelined : null;
    }

    String formattedValue() {
        return format(value) + (unit.symbol.isEmpty() ? "" : " " + unit.symbol);
    }

    String formattedTarget() {
        return target == null ? "" : (target.atLeast() ? ">= " : "<= ") + format(target.bound())
                + (unit.symbol.isEmpty() ? "" : " " + unit.symbol);
    }

    private String format(double v) {
        return switch (unit) {
            case PER_SECOND, COUNT -> String.format(Locale.ROOT, "%,.0f", v);
            case MILLIS -> String.format(Locale.ROOT, v < 10 ? "%.3f" : "%,.1f", v);
            case BYTES, MEGABYTES -> String.format(Locale.ROOT, "%,.1f", v);
            case RATIO -> String.format(Locale.ROOT, "%.2f", v);
        };
    }
}
