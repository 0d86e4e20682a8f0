package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * The gauges of periodic tasks: each schedule's last tick and the tick due next
 * ({@link TaskQueueMeters#SCHEDULE_LAST_TICK}, {@link TaskQueueMeters#SCHEDULE_DUE_TICK}), as seconds since the
 * epoch, so that Prometheus computes how late a schedule is ({@code time() - ...}) whatever its period.
 * <ol>
 * <li>The gauges are registered once the context is refreshed: the schedules are known only once every
 * {@code @Task} bean (and its {@code @Periodic}) is registered.</li>
 * <li>They read one reading of every schedule's state, taken at most once per {@code ttl}, in the background
 * ({@link RefreshedReading}): a scrape never waits for Redis but the first.</li>
 * </ol>
 */
public class ScheduleMetrics implements MeterBinder, ApplicationListener<ContextRefreshedEvent> {

    private static final Logger log = LoggerFactory.getLogger(ScheduleMetrics.class);

    private final TaskQueueScheduler scheduler;
    private final RefreshedReading<Map<String, Scheduler.ScheduleTicks>> ticks;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    /** The schedules' names, once the context is refreshed. */
    private volatile @Nullable Set<String> names;

    /**
     * @param scheduler this application's schedules
     * @param ttl how long one reading of the schedules' state serves the gauges
     */
    public ScheduleMetrics(TaskQueueScheduler scheduler, Duration ttl) {
        this.scheduler = scheduler;
        this.ticks = new RefreshedReading<>("the schedules' ticks", ttl, Map.of(), () -> scheduler.ticks().stream()
                .collect(Collectors.toUnmodifiableMap(Scheduler.ScheduleTicks::name, Function.identity())));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        Set<String> known = names;
        if (known != null) {
            known.forEach(name -> register(registry, name));
        }
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (names != null) {
            return; // a child context's refresh reaches this listener too
        }
        Set<String> known;
        try {
            known = Set.copyOf(scheduler.names());
        }
        catch (RuntimeException ex) {
            log.warn("The schedules' gauges are not registered: the schedules could not be read ({}). Look at "
                    + "/actuator/taskqueue/schedules for what is wrong with them.", ex.toString());
            return;
        }
        names = known;
        known.forEach(name -> registries.forEach(registry -> register(registry, name)));
    }

    private void register(MeterRegistry registry, String name) {
        Gauge.builder(TaskQueueMeters.SCHEDULE_LAST_TICK, ticks, reading -> seconds(reading, name,
                Scheduler.ScheduleTicks::lastTick)).description("When the schedule's last tick was submitted")
                .baseUnit("seconds").tag(TaskQueueMeters.SCHEDULE, name).register(registry);
        Gauge.builder(TaskQueueMeters.SCHEDULE_DUE_TICK, ticks, reading -> seconds(reading, name,
                Scheduler.ScheduleTicks::dueTick)).description("When the schedule's next tick is due")
                .baseUnit("seconds").tag(TaskQueueMeters.SCHEDULE, name).register(registry);
    }

    /** The time in seconds since the epoch, or NaN when there is none (or the schedules were never read). */
    private static double seconds(RefreshedReading<Map<String, Scheduler.ScheduleTicks>> reading, String name,
            Function<Scheduler.ScheduleTicks, @Nullable Instant> time) {
        Scheduler.ScheduleTicks ticks = reading.current().get(name);
        Instant instant = ticks == null ? null : time.apply(ticks);
        return instant == null ? Double.NaN : instant.toEpochMilli() / 1000.0;
    }
}
