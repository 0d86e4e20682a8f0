package dev.taskqueue.spring;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.schedule.Scheduler;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Runs this instance's {@link Scheduler} while the application context runs, and answers the actuator about
 * schedules. The scheduler is built at start, once every {@code @Task} bean (and its {@code @Periodic}) is
 * registered.
 */
public class TaskQueueScheduler implements SmartLifecycle {

    private final Supplier<Scheduler> schedulers;
    private final boolean submits;
    private final @Nullable Function<String, @Nullable TaskHandle<?>> runner;
    private volatile @Nullable Scheduler scheduler;

    /**
     * @param schedulers builds the scheduler
     * @param submits whether this instance submits ticks ({@code taskqueue.scheduler.enabled}); without, it only
     *        lists schedules and changes their settings
     */
    public TaskQueueScheduler(Supplier<Scheduler> schedulers, boolean submits) {
        this(schedulers, submits, null);
    }

    /**
     * @param runner submits a schedule's call now by the schedule's name (null when none has the name), for
     *        {@link #runNow}; null when schedules cannot be run on demand
     */
    public TaskQueueScheduler(Supplier<Scheduler> schedulers, boolean submits,
            @Nullable Function<String, @Nullable TaskHandle<?>> runner) {
        this.schedulers = schedulers;
        this.submits = submits;
        this.runner = runner;
    }

    /**
     * Submits a schedule's task now, as an extra run outside its trigger (its ticks go on as before).
     *
     * @return the task's handle
     * @throws IllegalArgumentException if no schedule has this name
     * @throws IllegalStateException if this scheduler cannot run schedules on demand
     */
    public TaskHandle<?> runNow(String name) {
        Function<String, @Nullable TaskHandle<?>> run = runner;
        if (run == null) {
            throw new IllegalStateException("Schedule '" + name + "' cannot be run on demand by this scheduler: "
                    + "submit its task yourself");
        }
        scheduler(); // checks the schedules, once
        TaskHandle<?> handle = run.apply(name);
        if (handle == null) {
            throw new IllegalArgumentException("No schedule '" + name + "'; known: " + names());
        }
        return handle;
    }

    private synchronized Scheduler scheduler() {
        Scheduler current = scheduler;
        if (current == null) {
            current = schedulers.get();
            scheduler = current;
        }
        return current;
    }

    /** The names of the schedules. */
    public Set<String> names() {
        return scheduler().names();
    }

    /** The schedules that cannot submit their ticks on this instance, with why (they are skipped meanwhile). */
    public Map<String, String> problems() {
        Scheduler current = scheduler;
        return current == null ? Map.of() : current.problems();
    }

    /** Every schedule with its last and next tick. */
    public List<Scheduler.ScheduleInfo> schedules() {
        return scheduler().schedules();
    }

    /** Every schedule's last tick and the tick due next, for the meters (one Redis read). */
    public List<Scheduler.ScheduleTicks> ticks() {
        return scheduler().ticks();
    }

    /**
     * Enables or disables a schedule on every instance.
     *
     * @throws IllegalArgumentException if none has this name
     */
    public void setEnabled(String name, boolean enabled) {
        scheduler().setEnabled(name, enabled);
    }

    /**
     * Submits, in the caller's thread, every tick due by the scheduler's clock, and returns the next tick of any
     * enabled schedule (null when none is to come): for tests that move the scheduler's clock.
     *
     * @throws IllegalStateException if this instance does not submit ticks
     */
    public @Nullable Instant submitDueTicks() {
        if (!submits) {
            throw new IllegalStateException("This application does not submit the ticks of its schedules: "
                    + "taskqueue.scheduler.enabled is false, or taskqueue.broker=inline (where a tick would run its "
                    + "task in the scheduler's thread). Call the task yourself, or test the schedule on Redis.");
        }
        return scheduler().submitDueTicks();
    }

    @Override
    public void start() {
        if (submits) {
            scheduler().start();
        }
    }

    @Override
    public void stop() {
        Scheduler current = scheduler;
        if (current != null) {
            current.stop();
        }
    }

    @Override
    public boolean isRunning() {
        Scheduler current = scheduler;
        return current != null && current.isRunning();
    }

    @Override
    public int getPhase() {
        return TaskQueueWorkerLifecycle.PHASE;
    }
}
