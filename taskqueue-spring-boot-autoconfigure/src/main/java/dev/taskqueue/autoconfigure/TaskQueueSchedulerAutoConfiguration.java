package dev.taskqueue.autoconfigure;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskDefinitionException;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.schedule.LocalScheduleStore;
import dev.taskqueue.schedule.PeriodicTasks;
import dev.taskqueue.schedule.Schedule;
import dev.taskqueue.schedule.ScheduleCheck;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.schedule.Trigger;
import dev.taskqueue.spring.TaskQueueScheduler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/**
 * Periodic tasks: every instance runs a {@link Scheduler} over the schedules of {@code @Periodic} task methods,
 * {@code taskqueue.schedules.*} and {@link Schedule} beans; each tick is submitted once across the cluster. In the
 * inline mode (no schedule store) the schedules are checked, listed and can be enabled or disabled, but they do not
 * tick: a tick would run its task in the scheduler's thread, in the middle of the application's tests.
 *
 * <p>The scheduler reads the time from a {@link Clock} bean named {@value #CLOCK_BEAN_NAME} when there is one (the
 * test kit's fake time: schedules tick when a test moves it), else from the system clock. An application's own
 * {@code Clock} bean of another name is left alone.
 */
@AutoConfiguration(after = TaskQueueAutoConfiguration.class)
@ConditionalOnBean(TaskClient.class)
@EnableConfigurationProperties(TaskQueueSchedulerProperties.class)
public final class TaskQueueSchedulerAutoConfiguration {

    /** The name of the {@link Clock} bean the scheduler reads the time from, if there is one. */
    public static final String CLOCK_BEAN_NAME = "taskQueueSchedulerClock";

    @Bean
    @ConditionalOnMissingBean
    TaskQueueScheduler taskQueueScheduler(TaskQueueSchedulerProperties properties, TaskQueueProperties taskQueue,
            ObjectProvider<ScheduleStore> scheduleStore, TaskClient client, TaskCatalog catalog, MessageCodec codec,
            ObjectProvider<Schedule> scheduleBeans, @Qualifier(CLOCK_BEAN_NAME) ObjectProvider<Clock> clock) {
        ScheduleStore store = scheduleStore.getIfAvailable();
        TaskQueueSchedulerProperties.Scheduler settings = properties.getScheduler();
        List<Schedule> configured = fromProperties(properties.getSchedules()); // wrong triggers fail startup here
        // Checked at start, once every @Task bean is registered: each schedule is checked against its task.
        Supplier<List<Schedule>> checked = SingletonSupplier.of(() -> {
            ScheduleCheck check = new ScheduleCheck(catalog, codec.mapper(),
                    taskQueue.getSubmit().isAllowUnknownTasks());
            List<Schedule> schedules = new ArrayList<>(PeriodicTasks.declaredIn(catalog.registry()));
            configured.forEach(schedule -> schedules.add(check.check(schedule, "taskqueue.schedules."
                    + schedule.name(), true)));
            scheduleBeans.orderedStream().forEach(schedule -> schedules.add(check.check(schedule, "Schedule bean",
                    false)));
            return schedules;
        });
        return new TaskQueueScheduler(() -> new Scheduler(store != null ? store : new LocalScheduleStore(), client,
                checked.get(), settings.getMisfireGrace(), settings.getRefreshInterval(),
                clock.getIfAvailable(Clock::systemUTC)), settings.isEnabled() && store != null,
                name -> checked.get().stream().filter(schedule -> schedule.name().equals(name)).findFirst()
                        .map(schedule -> client.submit(schedule.call())).orElse(null));
    }

    /** The schedules of {@code taskqueue.schedules.<name>.*}, checked with errors that name the property. */
    static List<Schedule> fromProperties(Map<String, TaskQueueSchedulerProperties.ScheduleEntry> entries) {
        List<Schedule> schedules = new ArrayList<>();
        entries.forEach((name, entry) -> {
            String where = "taskqueue.schedules." + name;
            if (entry.getTask() == null || entry.getTask().isBlank()) {
                throw new TaskDefinitionException(where + ".task is missing: name the task each tick submits");
            }
            if ((entry.getCron() == null) == (entry.getFixedRate() == null)) {
                throw new TaskDefinitionException(where + " needs exactly one of cron and fixed-rate");
            }
            TaskOptions options = TaskOptions.defaults();
            if (entry.getQueue() != null) {
                options = options.queue(entry.getQueue());
            }
            if (entry.getPriority() != null) {
                options = options.priority(entry.getPriority());
            }
            TaskCall<Object> call = TaskCall.of(entry.getTask(), entry.getArgs().toArray()).withOptions(options);
            try {
                Trigger trigger = entry.getCron() != null ? Trigger.cron(entry.getCron(), ZoneId.of(entry.getZone()))
                        : Trigger.fixedRate(entry.getFixedRate(), Instant.EPOCH);
                schedules.add(new Schedule(name, trigger, call, entry.getMissed(), entry.isEnabled()));
            }
            catch (IllegalArgumentException | DateTimeException ex) {
                throw new TaskDefinitionException(where + ": " + ex.getMessage(), ex);
            }
        });
        return schedules;
    }
}
