package dev.taskqueue;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.taskqueue.schedule.Schedule;

/**
 * Runs a {@link Task} method on a schedule, across the cluster: each tick is submitted exactly once however many
 * application instances run (every instance schedules; the tick's task id makes the submission keep one). The
 * method takes no arguments (schedules with arguments go in {@code taskqueue.schedules.<name>.*}).
 *
 * <pre>{@code
 * @Task(name = "reports.nightly")
 * @Periodic(cron = "0 0 2 * * *", zone = "Europe/Paris")
 * public void nightly() { ... }
 *
 * @Task(name = "inventory.sync")
 * @Periodic(fixedRate = "5m", missed = Schedule.MissedTicks.RUN_ONCE)
 * public void sync() { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Periodic {

    /** The schedule's name; by default the task's name. */
    String name() default "";

    /** A cron expression (6 fields with seconds, or 5, or a macro such as {@code @hourly}). */
    String cron() default "";

    /** The time zone the cron expression is read in (an id such as {@code Europe/Paris}); by default UTC. */
    String zone() default "";

    /** A fixed rate instead of a cron expression: {@code 30s}, {@code 5m}, {@code PT1H}. */
    String fixedRate() default "";

    /** What to do about ticks missed while the whole cluster was down. */
    Schedule.MissedTicks missed() default Schedule.MissedTicks.SKIP;

    /** Whether it ticks by default (operators can change it at runtime). */
    boolean enabled() default true;
}
