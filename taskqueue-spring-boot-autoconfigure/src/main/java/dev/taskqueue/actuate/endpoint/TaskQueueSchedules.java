package dev.taskqueue.actuate.endpoint;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where the {@code taskqueue} endpoint reads the periodic schedules it shows. Define a bean of this type to fill
 * the {@code schedules} of {@code GET /actuator/taskqueue} and {@code GET /actuator/taskqueue/schedules}; without
 * one, they are empty.
 */
@FunctionalInterface
public interface TaskQueueSchedules {

    /** No schedules. */
    TaskQueueSchedules NONE = List::of;

    /** The schedules, in the order to show them. */
    List<ScheduleDescriptor> schedules();

    /**
     * A periodic schedule.
     *
     * @param name the schedule's name
     * @param task the task it submits
     * @param queue the queue it submits to, when it names one
     * @param schedule when it fires, such as a cron expression ({@code 0 0 * * * *}) or an interval ({@code PT5M})
     * @param lastRunAt when it last submitted its task, if known
     * @param nextRunAt when it submits its task next, if known
     * @param enabled whether it fires
     */
    record ScheduleDescriptor(String name, String task, @Nullable String queue, String schedule,
            @Nullable Instant lastRunAt, @Nullable Instant nextRunAt, boolean enabled) {
    }
}
