package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToDoubleFunction;

import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.worker.Worker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Taskqueue's Micrometer meters (names and tags in {@link TaskQueueMeters}).
 *
 * <ol>
 * <li>Counters and timers are fed by the engine's events: this is a {@link TaskEventListener} that the client and
 * the worker call. The engine never calls Micrometer itself. Each meter is looked up once per task and queue,
 * then kept, so an event costs a map lookup and an increment.</li>
 * <li>Queue gauges (depth, age, consumers, paused), the worker count and the chord gauges read a
 * {@link QueueSnapshots snapshot} that one bulk read of the broker refreshes at most once per {@code queueStatsTtl},
 * however many gauges are scraped, in the background ({@link RefreshedReading}): a scrape never waits for Redis (but
 * the first).</li>
 * <li>Each queue gets its gauges when it is first seen: a queue of this application, a queue submitted to or run
 * here, or a queue the broker lists at a refresh.</li>
 * </ol>
 * Task runs are timed by their observation ({@link TaskQueueMeters#EXECUTION}), not here: one timer per run, with
 * its outcome, that {@code management.observations.enable.taskqueue=false} turns off with the spans. Timers publish
 * no histogram by default; Boot's {@code management.metrics.distribution.*} properties turn them on.
 */
public class TaskQueueMetrics implements TaskEventListener, MeterBinder {

    /** How long a reading of the queues' counts serves the gauges by default. */
    public static final Duration DEFAULT_QUEUE_STATS_TTL = Duration.ofSeconds(5);

    /** How long an open chord goes without a header task reporting before it counts as stalled, by default. */
    public static final Duration DEFAULT_CHORD_STALLED_AFTER = Duration.ofMinutes(15);

    /** How many of the oldest chords not completed a reading counts (each costs two small Redis reads). */
    public static final int CHORDS_COUNTED = 1000;

    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(TaskQueueMeters.SUBMITTED, "Tasks this instance stored in the broker"),
            Map.entry(TaskQueueMeters.STARTED, "Task runs this instance's worker started"),
            Map.entry(TaskQueueMeters.SUCCEEDED, "Task runs whose handler returned"),
            Map.entry(TaskQueueMeters.FAILED, "Tasks that failed for good or could not be run"),
            Map.entry(TaskQueueMeters.RETRIED, "Task runs that failed and run again later"),
            Map.entry(TaskQueueMeters.DEAD, "Tasks this instance's worker sent to the dead letters"),
            Map.entry(TaskQueueMeters.QUARANTINED, "Malformed entries this instance's worker moved to the dead letters"),
            Map.entry(TaskQueueMeters.REVOKED, "Tasks dropped or stopped because they were revoked or expired"),
            Map.entry(TaskQueueMeters.REFUSED, "Task outcomes refused because the worker had lost the task's lease"),
            Map.entry(TaskQueueMeters.QUEUE_WAIT, "How long tasks waited from submission or due time to start"));

    private final Set<String> gaugedQueues = ConcurrentHashMap.newKeySet();
    private final @Nullable QueueSnapshots snapshots;
    private final TaskRegistry registry;
    private final Supplier<@Nullable Worker> worker;
    private final List<BoundRegistry> bound = new CopyOnWriteArrayList<>();
    private final Set<String> declaredTasks = ConcurrentHashMap.newKeySet();
    private volatile QueueSnapshots.@Nullable Snapshot discoveredIn;

    /**
     * @param admin the store whose queues the gauges show, or null for none (inline mode)
     * @param registry this application's tasks: other names are tagged {@value TaskQueueMeters#OTHER_TASK}
     * @param queueStatsTtl how long one reading of the queues' counts serves the gauges
     * @param chordStalledAfter how long an open chord goes without a header task reporting before it counts as
     *        stalled
     * @param worker this application's worker, or null when it runs none (or has not started it yet)
     */
    public TaskQueueMetrics(@Nullable QueueAdmin admin, TaskRegistry registry, Duration queueStatsTtl,
            Duration chordStalledAfter, Supplier<@Nullable Worker> worker) {
        this.snapshots = admin != null ? new QueueSnapshots(admin, queueStatsTtl, () -> gaugedQueues,
                CHORDS_COUNTED, chordStalledAfter) : null;
        this.registry = registry;
        this.worker = worker;
    }

    @Override
    public void bindTo(MeterRegistry meterRegistry) {
        bound.add(new BoundRegistry(meterRegistry));
        Gauge.builder(TaskQueueMeters.WORKER_ACTIVE_TASKS, worker, TaskQueueMetrics::activeTasks)
                .description("Tasks this instance's worker runs now").register(meterRegistry);
        QueueSnapshots source = snapshots;
        if (source == null) {
            return;
        }
        Gauge.builder(TaskQueueMeters.WORKERS, source, snapshots -> snapshots.current().liveWorkers())
                .description("Workers that heartbeat, in every instance").register(meterRegistry);
        chordGauge(meterRegistry, source, TaskQueueMeters.CHORD_OPEN, QueueSnapshots.ChordCounts::open);
        chordGauge(meterRegistry, source, TaskQueueMeters.CHORD_STALLED, QueueSnapshots.ChordCounts::stalled);
        chordGauge(meterRegistry, source, TaskQueueMeters.CHORD_FAILED, QueueSnapshots.ChordCounts::failed);
        Gauge.builder(TaskQueueMeters.CHORDS_OLDEST_AGE, source,
                snapshots -> snapshots.current().chords().oldestOpenAgeSeconds())
                .description("How long ago the oldest chord not completed was made, in every instance")
                .baseUnit("seconds").register(meterRegistry);
        gaugedQueues.addAll(registry.declaredQueues());
        gaugedQueues.forEach(queue -> registerQueueGauges(meterRegistry, source, queue));
    }

    private static void chordGauge(MeterRegistry meters, QueueSnapshots source, String state,
            ToDoubleFunction<QueueSnapshots.ChordCounts> count) {
        Gauge.builder(TaskQueueMeters.CHORDS, source, snapshots -> count.applyAsDouble(snapshots.current().chords()))
                .description("Chords not completed, in every instance, by state").tag(TaskQueueMeters.STATE, state)
                .register(meters);
    }

    private static double activeTasks(Supplier<@Nullable Worker> worker) {
        Worker current = worker.get();
        return current == null ? 0 : current.activeTasks();
    }

    // ------------------------------------------------------------------------------------------ events

    @Override
    public void submitted(String taskName, String queue) {
        discovered(queue);
        count(TaskQueueMeters.SUBMITTED, taskName, queue);
    }

    @Override
    public void started(String taskId, String taskName, String queue, Duration queueWait) {
        discovered(queue);
        count(TaskQueueMeters.STARTED, taskName, queue);
        String task = taskTag(taskName);
        bound.forEach(meters -> meters.timer(TaskQueueMeters.QUEUE_WAIT, task, queue).record(queueWait));
    }

    @Override
    public void finished(Execution execution) {
        String queue = execution.queue();
        discovered(queue);
        switch (execution.outcome()) {
            case SUCCESS -> count(TaskQueueMeters.SUCCEEDED, execution.taskName(), queue);
            case RETRY -> count(TaskQueueMeters.RETRIED, execution.taskName(), queue);
            case REVOKED -> count(TaskQueueMeters.REVOKED, execution.taskName(), queue);
            case FAILURE, QUARANTINED -> {
                count(TaskQueueMeters.FAILED, execution.taskName(), queue);
                if (snapshots != null) { // a broker keeps every final failure as a dead letter; inline mode has none
                    count(TaskQueueMeters.DEAD, execution.taskName(), queue);
                }
                if (execution.outcome() == Outcome.QUARANTINED) {
                    count(TaskQueueMeters.QUARANTINED, execution.taskName(), queue);
                }
            }
        }
    }

    @Override
    public void outcomeRefused(String taskId, @Nullable String taskName, String queue) {
        count(TaskQueueMeters.REFUSED, taskName, queue);
    }

    private void count(String name, @Nullable String taskName, String queue) {
        String task = taskTag(taskName);
        bound.forEach(meters -> meters.counter(name, task, queue).increment());
    }

    /**
     * The task tag: the name when this application declares the task, so that names from outside stay bounded.
     * Only declared names are remembered (they are few); others are looked up again, as tasks may be registered
     * after the first events.
     */
    private String taskTag(@Nullable String taskName) {
        if (taskName == null) {
            return TaskQueueMeters.OTHER_TASK;
        }
        if (declaredTasks.contains(taskName)) {
            return taskName;
        }
        if (registry.find(taskName) != null) {
            declaredTasks.add(taskName);
            return taskName;
        }
        return TaskQueueMeters.OTHER_TASK;
    }

    // ------------------------------------------------------------------------------------------ gauges

    private void discovered(String queue) {
        QueueSnapshots source = snapshots;
        if (source != null && gaugedQueues.add(queue)) {
            bound.forEach(meters -> registerQueueGauges(meters.registry, source, queue));
        }
    }

    private void registerQueueGauges(MeterRegistry meters, QueueSnapshots source, String queue) {
        depthGauge(meters, source, queue, TaskQueueMeters.PENDING, QueueStats::pending);
        depthGauge(meters, source, queue, TaskQueueMeters.SCHEDULED, QueueStats::scheduled);
        depthGauge(meters, source, queue, TaskQueueMeters.ACTIVE, QueueStats::active);
        depthGauge(meters, source, queue, TaskQueueMeters.DEAD_LETTERS, QueueStats::dead);
        queueGauge(source, queue, TaskQueueMeters.QUEUE_OLDEST_AGE, (snapshot, stats) -> ageSeconds(stats))
                .description("How long the oldest pending task has waited").baseUnit("seconds").register(meters);
        queueGauge(source, queue, TaskQueueMeters.QUEUE_CONSUMERS,
                (snapshot, stats) -> snapshot.consumers().getOrDefault(queue, 0L))
                .description("Workers that heartbeat and consume the queue, in every instance").register(meters);
        queueGauge(source, queue, TaskQueueMeters.QUEUE_PAUSED, (snapshot, stats) -> stats.paused() ? 1 : 0)
                .description("1 while the queue is paused, else 0").register(meters);
    }

    private void depthGauge(MeterRegistry meters, QueueSnapshots source, String queue, String state,
            ToDoubleFunction<QueueStats> count) {
        queueGauge(source, queue, TaskQueueMeters.QUEUE_DEPTH, (snapshot, stats) -> count.applyAsDouble(stats))
                .description("Tasks in the queue, by state").tag(TaskQueueMeters.STATE, state).register(meters);
    }

    /** A gauge of one queue, NaN while the queue's counts have not been read. */
    private Gauge.Builder<QueueSnapshots> queueGauge(QueueSnapshots source, String queue,
            String name, ToDoubleBiFunction<QueueSnapshots.Snapshot, QueueStats> reader) {
        return Gauge.builder(name, source, snapshots -> value(snapshots, queue, reader)).tag(TaskQueueMeters.QUEUE,
                queue);
    }

    private double value(QueueSnapshots source, String queue,
            ToDoubleBiFunction<QueueSnapshots.Snapshot, QueueStats> reader) {
        QueueSnapshots.Snapshot snapshot = source.current();
        if (snapshot != discoveredIn) { // once per reading, not once per gauge
            discoveredIn = snapshot;
            snapshot.stats().keySet().forEach(this::discovered);
        }
        QueueStats stats = snapshot.stats().get(queue);
        return stats == null ? Double.NaN : reader.applyAsDouble(snapshot, stats);
    }

    private static double ageSeconds(QueueStats stats) {
        Long millis = stats.oldestPendingAgeMillis();
        return millis == null ? 0 : millis / 1000.0;
    }

    /** The meters of one registry, each built once per name, task and queue. */
    private static final class BoundRegistry {

        private final MeterRegistry registry;
        private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

        BoundRegistry(MeterRegistry registry) {
            this.registry = registry;
        }

        Counter counter(String name, String task, String queue) {
            return (Counter) meters.computeIfAbsent(new MeterKey(name, task, queue),
                    key -> Counter.builder(name).description(DESCRIPTIONS.get(name))
                            .tags(TaskQueueMeters.TASK, task, TaskQueueMeters.QUEUE, queue).register(registry));
        }

        Timer timer(String name, String task, String queue) {
            return (Timer) meters.computeIfAbsent(new MeterKey(name, task, queue),
                    key -> Timer.builder(name).description(DESCRIPTIONS.get(name))
                            .tags(TaskQueueMeters.TASK, task, TaskQueueMeters.QUEUE, queue).register(registry));
        }
    }

    private record MeterKey(String name, String task, String queue) {
    }
}
