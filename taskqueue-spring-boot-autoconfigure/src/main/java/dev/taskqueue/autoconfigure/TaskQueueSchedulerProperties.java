package dev.taskqueue.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.schedule.CronExpression;
import dev.taskqueue.schedule.Schedule;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Periodic tasks declared in configuration ({@code taskqueue.schedules.<name>.*}) and the scheduler that submits
 * them ({@code taskqueue.scheduler.*}). Schedules also come from {@code @Periodic} task methods and
 * {@code Schedule} beans. Like {@link TaskQueueProperties}, it checks the values it parses (cron expressions, zones,
 * queues, priorities) as Boot binds it, so a wrong one fails the startup with Boot's report naming the property.
 */
@ConfigurationProperties("taskqueue")
public class TaskQueueSchedulerProperties implements Validator {

    /** Periodic tasks, by schedule name. */
    private final Map<String, ScheduleEntry> schedules = new LinkedHashMap<>();

    /** The scheduler that every application instance runs. */
    private final Scheduler scheduler = new Scheduler();

    public Map<String, ScheduleEntry> getSchedules() {
        return schedules;
    }

    public Scheduler getScheduler() {
        return scheduler;
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == ScheduleEntry.class;
    }

    @Override
    public void validate(Object target, Errors errors) {
        if (target instanceof ScheduleEntry entry) {
            PropertyChecks.check(errors, "cron", entry.cron, CronExpression::parse);
            PropertyChecks.check(errors, "zone", entry.zone, PropertyChecks::zone);
            PropertyChecks.check(errors, "queue", entry.queue, TaskDeclarations::checkQueueName);
            PropertyChecks.check(errors, "priority", entry.priority, PropertyChecks::priority);
        }
    }

    /** One periodic task. */
    public static class ScheduleEntry {

        /** Name of the task each tick submits. */
        private @Nullable String task;

        /** Arguments each tick submits, in order (converted to the task method's parameter types). */
        private List<Object> args = new ArrayList<>();

        /** Cron expression: 6 fields with seconds, 5 without, or a macro such as @hourly. Or set fixed-rate. */
        private @Nullable String cron;

        /** Time zone the cron expression is read in, such as Europe/Paris. */
        private String zone = "UTC";

        /** Interval between ticks, aligned to the epoch so that every instance agrees. Or set cron. */
        private @Nullable Duration fixedRate;

        /** Queue the ticks go to, instead of the task's own. */
        private @Nullable String queue;

        /** Priority of the ticks (0 to 9). */
        private @Nullable Integer priority;

        /** What to do about ticks missed while every instance was down: skip them, or run once. */
        private Schedule.MissedTicks missed = Schedule.MissedTicks.SKIP;

        /** Whether it ticks (operators can change it at runtime, through the actuator). */
        private boolean enabled = true;

        public @Nullable String getTask() {
            return task;
        }

        public void setTask(@Nullable String task) {
            this.task = task;
        }

        public List<Object> getArgs() {
            return args;
        }

        public void setArgs(List<Object> args) {
            this.args = args;
        }

        public @Nullable String getCron() {
            return cron;
        }

        public void setCron(@Nullable String cron) {
            this.cron = cron;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }

        public @Nullable Duration getFixedRate() {
            return fixedRate;
        }

        public void setFixedRate(@Nullable Duration fixedRate) {
            this.fixedRate = fixedRate;
        }

        public @Nullable String getQueue() {
            return queue;
        }

        public void setQueue(@Nullable String queue) {
            this.queue = queue;
        }

        public @Nullable Integer getPriority() {
            return priority;
        }

        public void setPriority(@Nullable Integer priority) {
            this.priority = priority;
        }

        public Schedule.MissedTicks getMissed() {
            return missed;
        }

        public void setMissed(Schedule.MissedTicks missed) {
            this.missed = missed;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The scheduler: every instance runs one; each tick is still submitted once. */
    public static class Scheduler {

        /** Whether this instance submits periodic tasks (any instance may; one is enough). */
        private boolean enabled = true;

        /** How late a tick may still be submitted; an older one counts as missed (see each schedule's missed). */
        private Duration misfireGrace = Duration.ofMinutes(1);

        /** How often operators' enable/disable settings are read, and the longest the scheduler sleeps. */
        private Duration refreshInterval = Duration.ofSeconds(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMisfireGrace() {
            return misfireGrace;
        }

        public void setMisfireGrace(Duration misfireGrace) {
            this.misfireGrace = misfireGrace;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }
}
