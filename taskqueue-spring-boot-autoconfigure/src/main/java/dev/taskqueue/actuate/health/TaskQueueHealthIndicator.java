package dev.taskqueue.actuate.health;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code taskqueue} health component:
 * <ol>
 * <li>DOWN when the broker does not answer a ping (tasks can be neither submitted nor run);</li>
 * <li>DOWN when this application's worker stopped while the application still runs;</li>
 * <li>the configured lag status (OUT_OF_SERVICE by default) when the oldest pending task of a queue has waited
 * longer than that queue's threshold; a paused queue is not checked (it waits on purpose);</li>
 * <li>UP otherwise.</li>
 * </ol>
 * Its details name the broker, the worker (id, state, active tasks, concurrency) and each checked queue's pending
 * count and oldest pending age, read in one round trip. They also name, without changing the status, the queues
 * whose tasks wait with no live worker consuming them ({@code unconsumed}: a typo in a queue name, a worker that
 * consumes other queues), the schedules that cannot submit their ticks ({@code schedules}), and what keeps failing in
 * the worker for a reason other than an outage ({@code failing}: a script that fails on what it reads, until the
 * data is mended; see {@link Worker#problems()}). Put it in the
 * readiness group
 * ({@code management.endpoint.health.group.readiness.include=readinessState,taskqueue}) to take a lagging
 * instance out of the load balancer.
 */
public class TaskQueueHealthIndicator extends AbstractHealthIndicator {

    private final QueueAdmin admin;
    private final String brokerDescription;
    private final Supplier<@Nullable Worker> worker;
    private final BooleanSupplier workerShouldRun;
    private final Supplier<? extends Collection<String>> queues;
    private final QueueLagThresholds thresholds;
    private final Supplier<Map<String, String>> scheduleProblems;

    /**
     * A health component that checks the broker and shows the worker, without lag thresholds.
     *
     * @param admin the store to ping, and whose queues to check
     * @param brokerDescription what the store is, such as {@code redis 127.0.0.1:6379}
     * @param worker this application's worker, or null when it runs none (or has not started it yet)
     */
    public TaskQueueHealthIndicator(QueueAdmin admin, String brokerDescription, Supplier<@Nullable Worker> worker) {
        this(admin, brokerDescription, worker, () -> false, List::of, QueueLagThresholds.NONE, Map::of);
    }

    /**
     * @param admin the store to ping, and whose queues to check
     * @param brokerDescription what the store is, such as {@code redis 127.0.0.1:6379}
     * @param worker this application's worker, or null when it runs none (or has not started it yet)
     * @param workerShouldRun whether the worker is meant to run now (the application runs and is not stopping)
     * @param queues the queues to show and check (besides those with a threshold of their own)
     * @param thresholds when a queue lags
     * @param scheduleProblems the schedules that cannot submit their ticks, with why
     */
    public TaskQueueHealthIndicator(QueueAdmin admin, String brokerDescription, Supplier<@Nullable Worker> worker,
            BooleanSupplier workerShouldRun, Supplier<? extends Collection<String>> queues,
            QueueLagThresholds thresholds, Supplier<Map<String, String>> scheduleProblems) {
        super("taskqueue health check failed");
        this.admin = admin;
        this.brokerDescription = brokerDescription;
        this.worker = worker;
        this.workerShouldRun = workerShouldRun;
        this.queues = queues;
        this.thresholds = thresholds;
        this.scheduleProblems = scheduleProblems;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.up().withDetail("broker", brokerDescription);
        Worker current = worker.get();
        if (current != null) {
            builder.withDetail("worker", Map.of("id", current.id(), "state", current.state().name(), "active",
                    current.activeTasks(), "concurrency", current.concurrency()));
            Map<String, String> failing = current.problems();
            if (!failing.isEmpty()) {
                builder.withDetail("failing", failing);
            }
        }
        if (!admin.ping()) {
            builder.down().withDetail("error", "The broker (" + brokerDescription + ") does not answer: tasks can "
                    + "be neither submitted nor run. Check that Redis runs and that spring.data.redis.* points at it.");
            return;
        }
        boolean workerStopped = current != null && current.state() != Worker.State.RUNNING
                && workerShouldRun.getAsBoolean();
        if (workerStopped) {
            String fatalError = current.fatalError();
            builder.down().withDetail("error", "Worker " + current.id() + " is " + current.state() + " although "
                    + "the application runs: this instance runs no tasks. " + (fatalError == null
                            ? "See the log for why it stopped." : "It stopped after a fatal error (" + fatalError
                                    + "); its tasks run on other workers. Restart the application, or set "
                                    + "taskqueue.worker.on-fatal-error=exit for its supervisor to restart it."));
        }
        Map<String, String> lagging = checkQueues(builder);
        if (!lagging.isEmpty() && !workerStopped) {
            builder.status(thresholds.lagStatus());
        }
        Map<String, String> unconsumed = unconsumedQueues();
        if (!unconsumed.isEmpty()) {
            builder.withDetail("unconsumed", unconsumed);
        }
        Map<String, String> schedules = scheduleProblems.get();
        if (!schedules.isEmpty()) {
            builder.withDetail("schedules", schedules);
        }
    }

    /** Queues, among all Redis knows, with tasks waiting and no live worker consuming them. */
    private Map<String, String> unconsumedQueues() {
        Set<String> consumed = new LinkedHashSet<>();
        admin.workers().stream().filter(info -> !info.isLost()).forEach(info -> consumed.addAll(info.queues()));
        Set<String> others = new java.util.TreeSet<>(admin.queues());
        others.removeAll(consumed);
        Map<String, String> unconsumed = new LinkedHashMap<>();
        if (!others.isEmpty()) {
            for (QueueStats stats : admin.stats(others)) {
                if (stats.pending() > 0 && !stats.paused()) {
                    unconsumed.put(stats.queue(), stats.pending() + " pending task(s) and no live worker consumes it");
                }
            }
        }
        return unconsumed;
    }

    /** Adds each queue's details; returns the lagging queues, with why. */
    private Map<String, String> checkQueues(Health.Builder builder) {
        Set<String> checked = new LinkedHashSet<>(queues.get());
        checked.addAll(thresholds.perQueue().keySet());
        if (checked.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        Map<String, String> lagging = new LinkedHashMap<>();
        for (QueueStats stats : admin.stats(checked)) {
            Duration threshold = thresholds.thresholdOf(stats.queue());
            Duration age = stats.oldestPendingAgeMillis() == null ? null
                    : Duration.ofMillis(stats.oldestPendingAgeMillis());
            details.put(stats.queue(), queueDetails(stats, age, threshold));
            if (threshold != null && age != null && age.compareTo(threshold) > 0 && !stats.paused()) {
                lagging.put(stats.queue(), "its oldest pending task has waited " + age + ", longer than its "
                        + "max-lag of " + threshold);
            }
        }
        builder.withDetail("queues", details);
        if (!lagging.isEmpty()) {
            builder.withDetail("lagging", lagging);
        }
        return lagging;
    }

    private static Map<String, Object> queueDetails(QueueStats stats, @Nullable Duration age,
            @Nullable Duration threshold) {
        Map<String, Object> queue = new LinkedHashMap<>();
        queue.put("pending", stats.pending());
        if (age != null) {
            queue.put("oldestPendingAge", age.toString());
        }
        if (threshold != null) {
            queue.put("maxLag", threshold.toString());
        }
        if (stats.paused()) {
            queue.put("paused", true);
        }
        return queue;
    }
}
