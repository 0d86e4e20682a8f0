package dev.taskqueue.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.taskqueue.TaskCall;

/**
 * A periodic task: a name, when it ticks ({@link Trigger}), the call it submits each tick, and what to do about
 * ticks missed while no scheduler ran. Declare one with {@link dev.taskqueue.Periodic} on a {@code @Task} method,
 * in {@code taskqueue.schedules.<name>.*}, or as a bean. Immutable.
 *
 * <pre>{@code
 * Schedule.cron("nightly-report", "0 0 2 * * *", ZoneId.of("Europe/Paris"), TaskCall.of(Reports::nightly));
 * Schedule.every("sync", Duration.ofMinutes(5), TaskCall.of(Inventory::sync, "all")).missed(MissedTicks.RUN_ONCE);
 * }</pre>
 *
 * @param name the schedule's name: 1 to 100 letters, digits or {@code . _ -} (it names its ticks' task ids)
 * @param trigger when it ticks
 * @param call what each tick submits
 * @param missed what to do about ticks that passed while no scheduler instance ran
 * @param enabled whether it ticks, unless an operator changed it at runtime
 */
public record Schedule(String name, Trigger trigger, TaskCall<?> call, MissedTicks missed, boolean enabled) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._\\-]{1,100}");

    public Schedule {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A schedule name must be 1 to 100 letters, digits or . _ - characters,"
                    + " got '" + name + "'");
        }
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(missed, "missed");
        if (call.options().getTaskId() != null) {
            throw new IllegalArgumentException("Schedule '" + name + "' sets a task id: each tick gets its own");
        }
        if (call.hasCallbacks()) {
            throw new IllegalArgumentException("Schedule '" + name + "' submits a call with links; schedule a task "
                    + "that submits the workflow instead");
        }
    }

    /** Ticks on a cron expression read in {@code zone}; missed ticks are skipped. */
    public static Schedule cron(String name, String expression, ZoneId zone, TaskCall<?> call) {
        return new Schedule(name, Trigger.cron(expression, zone), call, MissedTicks.SKIP, true);
    }

    /** Ticks every {@code interval}, aligned to the epoch (so every instance agrees); missed ticks are skipped. */
    public static Schedule every(String name, Duration interval, TaskCall<?> call) {
        return new Schedule(name, Trigger.fixedRate(interval, Instant.EPOCH), call, MissedTicks.SKIP, true);
    }

    /** The same schedule with this policy for missed ticks. */
    public Schedule missed(MissedTicks policy) {
        return new Schedule(name, trigger, call, policy, enabled);
    }

    /** The same schedule, enabled or disabled by default. */
    public Schedule enabled(boolean enabled) {
        return new Schedule(name, trigger, call, missed, enabled);
    }

    /** The task id of the tick at {@code tick}: the same on every instance, so the tick is stored once. */
    public String tickId(Instant tick) {
        return "schedule:" + name + ":" + tick.toEpochMilli();
    }

    /** What to do about ticks that passed while no scheduler instance ran (the whole cluster was down). */
    public enum MissedTicks {

        /** Forget them: the next tick runs at its time. */
        SKIP,

        /** Run once, at start, for all of them together; then the next tick at its time. */
        RUN_ONCE
    }
}
