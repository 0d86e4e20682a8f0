package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToDoubleFunction;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.TaskRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taskqueue's Micrometer meters (names in {@link TaskQueueMeters}).
 *
 * <ol>
 * <li>Counters and the duration timer are fed by the engine's events: this is a {@link TaskEventListener} that
 * the client and the worker call. The engine never calls Micrometer itself.</li>
 * <li>Queue gauges read a snapshot of every queue's counts, refreshed at most once per {@code statsRefresh}
 * however many gauges are scraped (one refresh asks the broker for its queues, then each queue's counts). A
 * scrape that finds the snapshot stale refreshes it; concurrent scrapes read the previous one. When the broker
 * cannot be reached the gauges keep their last values.</li>
 * <li>Each queue gets its gauges when it is first seen: a queue of this application, a queue submitted to or run
 * here, or a queue the broker lists at a refresh.</li>
 * </ol>
 */
public class TaskQueueMetrics implements TaskEventListener, MeterBinder {

    /** How long a snapshot of queue counts serves the gauges by default. */
    public static final Duration DEFAULT_STATS_REFRESH = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(TaskQueueMetrics.class);

    private final @Nullable Broker broker;
    private final TaskRegistry registry;
    private final long statsRefreshNanos;
    private final List<MeterRegistry> meterRegistries = new CopyOnWriteArrayList<>();
    private final Set<String> gaugedQueues = ConcurrentHashMap.newKeySet();
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Long.MIN_VALUE);

    /**
     * @param broker the broker whose queues the gauges show, or null for none (inline mode)
     * @param registry this application's tasks: runs of other names are tagged {@value TaskQueueMeters#UNKNOWN_TASK}
     * @param statsRefresh how long a snapshot of queue counts serves the gauges
     */
    public TaskQueueMetrics(@Nullable Broker broker, TaskRegistry registry, Duration statsRefresh) {
        this.broker = broker;
        this.registry = registry;
        this.statsRefreshNanos = statsRefresh.toNanos();
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        meterRegistries.add(meterRegistry);
        if (broker == null) {
            return;
        }
        Set<String> known = new LinkedHashSet<>(registry.queues());
        known.add(registry.defaultQueue());
        known.addAll(gaugedQueues);
        gaugedQueues.addAll(known);
        known.forEach(queue -> registerGauges(meterRegistry, queue));
    }

    // ------------------------------------------------------------------------------------------ events

    @Override
    public void submitted(String taskName, String queue) {
        discovered(queue);
        for (MeterRegistry meters : meterRegistries) {
            Counter.builder(TaskQueueMeters.SUBMITTED).description("Tasks submitted by this application")
                    .tags(TaskQueueMeters.TASK, taskName, TaskQueueMeters.QUEUE, queue).register(meters).increment();
        }
    }

    @Override
    public void finished(Execution execution) {
        discovered(execution.queue());
        Tags tags = Tags.of(TaskQueueMeters.TASK, declared(execution.taskName()), TaskQueueMeters.QUEUE,
                execution.queue(), TaskQueueMeters.OUTCOME, execution.outcome().name().toLowerCase(Locale.ROOT));
        for (MeterRegistry meters : meterRegistries) {
            Counter.builder(TaskQueueMeters.COMPLETED).description("Task runs finished by this application's worker")
                    .tags(tags).register(meters).increment();
            Timer.builder(TaskQueueMeters.DURATION).description("How long task handlers ran").tags(tags)
                    .register(meters).record(execution.duration());
        }
    }

    @Override
    public void outcomeRefused(String taskId, @Nullable String taskName, String queue) {
        for (MeterRegistry meters : meterRegistries) {
            Counter.builder(TaskQueueMeters.REFUSED)
                    .description("Task outcomes refused because the worker had lost the task's lease")
                    .tags(TaskQueueMeters.TASK, declared(taskName), TaskQueueMeters.QUEUE, queue).register(meters)
                    .increment();
        }
    }

    /** The task tag: the name when this application declares the task, so that names from outside stay bounded. */
    private String declared(@Nullable String taskName) {
        return taskName != null && registry.find(taskName) != null ? taskName : TaskQueueMeters.UNKNOWN_TASK;
    }

    // ------------------------------------------------------------------------------------------ gauges

    private void discovered(String queue) {
        if (broker != null && gaugedQueues.add(queue)) {
            meterRegistries.forEach(meters -> registerGauges(meters, queue));
        }
    }

    private void registerGauges(MeterRegistry meters, String queue) {
        gauge(meters, TaskQueueMeters.QUEUE_PENDING, "Tasks waiting to be claimed", queue, QueueStats::pending);
        gauge(meters, TaskQueueMeters.QUEUE_SCHEDULED, "Tasks waiting for a countdown, an eta or a retry backoff",
                queue, QueueStats::scheduled);
        gauge(meters, TaskQueueMeters.QUEUE_ACTIVE, "Tasks claimed by a worker and not finished", queue,
                QueueStats::active);
        gauge(meters, TaskQueueMeters.QUEUE_DEAD, "Tasks in the dead letters", queue, QueueStats::dead);
        Gauge.builder(TaskQueueMeters.QUEUE_OLDEST_AGE, this, metrics -> metrics.value(queue, TaskQueueMetrics::age))
                .description("How long the oldest pending task has waited").baseUnit("seconds")
                .tag(TaskQueueMeters.QUEUE, queue).register(meters);
    }

    private void gauge(MeterRegistry meters, String name, String description, String queue,
            ToDoubleFunction<QueueStats> count) {
        Gauge.builder(name, this, metrics -> metrics.value(queue, count)).description(description)
                .baseUnit("tasks").tag(TaskQueueMeters.QUEUE, queue).register(meters);
    }

    private static double age(QueueStats stats) {
        Long millis = stats.oldestPendingAgeMillis();
        return millis == null ? 0 : millis / 1000.0;
    }

    private double value(String queue, ToDoubleFunction<QueueStats> reader) {
        QueueStats stats = current().stats.get(queue);
        return stats == null ? Double.NaN : reader.applyAsDouble(stats);
    }

    /** The snapshot, refreshed first by this thread if it is stale and no other thread is refreshing it. */
    private Snapshot current() {
        Snapshot current = snapshot;
        if (!current.staleAt(System.nanoTime(), statsRefreshNanos) || !refreshing.tryLock()) {
            return current;
        }
        try {
            current = snapshot;
            if (current.staleAt(System.nanoTime(), statsRefreshNanos)) {
                current = refresh(current);
                snapshot = current;
            }
        }
        finally {
            refreshing.unlock();
        }
        current.stats.keySet().forEach(this::discovered);
        return current;
    }

    private Snapshot refresh(Snapshot previous) {
        Broker source = broker;
        Map<String, QueueStats> stats = new HashMap<>(previous.stats);
        if (source != null) {
            try {
                Set<String> queues = new LinkedHashSet<>(gaugedQueues);
                queues.addAll(source.queues());
                source.stats(queues).forEach(queueStats -> stats.put(queueStats.queue(), queueStats));
            }
            catch (RuntimeException ex) {
                log.debug("Could not read the queue counts; the gauges keep their last values", ex);
            }
        }
        return new Snapshot(Map.copyOf(stats), System.nanoTime());
    }

    /** Every queue's counts at one instant. */
    private record Snapshot(Map<String, QueueStats> stats, long takenAtNanos) {

        boolean staleAt(long nowNanos, long maxAgeNanos) {
            return takenAtNanos == Long.MIN_VALUE || nowNanos - takenAtNanos >= maxAgeNanos;
        }
    }
}
