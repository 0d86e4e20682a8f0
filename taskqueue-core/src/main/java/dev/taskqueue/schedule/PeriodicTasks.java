package dev.taskqueue.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Periodic;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.internal.Durations;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;

/** The schedules that {@link Periodic} declares on the registry's task methods. */
public final class PeriodicTasks {

    private PeriodicTasks() {
    }

    /**
     * @throws TaskDefinitionException naming the bean and method of a declaration that is wrong
     */
    public static List<Schedule> declaredIn(TaskRegistry registry) {
        List<Schedule> schedules = new ArrayList<>();
        for (TaskDefinition task : registry.all()) {
            Periodic periodic = TaskDeclarations.findAnnotation(task.method(), Periodic.class); // proxies too
            if (periodic != null) {
                schedules.add(schedule(task, periodic));
            }
        }
        return schedules;
    }

    private static Schedule schedule(TaskDefinition task, Periodic periodic) {
        String where = "@Periodic on task '" + task.name() + "' (" + task.describe() + ")";
        if (!task.parameterTypes().isEmpty()) {
            throw new TaskDefinitionException(where + ": a periodic task takes no arguments; declare a schedule with "
                    + "arguments in taskqueue.schedules.<name>.args instead");
        }
        if (periodic.cron().isEmpty() == periodic.fixedRate().isEmpty()) {
            throw new TaskDefinitionException(where + ": set exactly one of cron and fixedRate");
        }
        String name = periodic.name().isEmpty() ? task.name() : periodic.name();
        try {
            Trigger trigger;
            if (!periodic.cron().isEmpty()) {
                ZoneId zone = periodic.zone().isEmpty() ? ZoneOffset.UTC : ZoneId.of(periodic.zone());
                trigger = Trigger.cron(periodic.cron(), zone);
            }
            else {
                Duration rate = Durations.parse(periodic.fixedRate());
                trigger = Trigger.fixedRate(rate, java.time.Instant.EPOCH);
            }
            return new Schedule(name, trigger, TaskCall.of(task.name()), periodic.missed(), periodic.enabled());
        }
        catch (IllegalArgumentException | DateTimeException ex) {
            throw new TaskDefinitionException(where + ": " + ex.getMessage());
        }
    }
}
