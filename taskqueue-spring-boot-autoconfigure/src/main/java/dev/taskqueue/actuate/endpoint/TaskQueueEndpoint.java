package dev.taskqueue.actuate.endpoint;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code taskqueue} actuator endpoint: what waits in each queue, which workers run, and which tasks this
 * application declares.
 *
 * <pre>
 * GET /actuator/taskqueue          {"broker": "redis 127.0.0.1:6379", "queues": [...], "workers": [...], "tasks": [...]}
 * GET /actuator/taskqueue/{queue}  {"name": "images", "pending": 12, "scheduled": 0, "active": 4, "dead": 1, ...}
 * GET /actuator/taskqueue/tasks/{id}  {"id": "...", "state": "STARTED", "progress": 0.4, "attempt": 1, ...}
 * </pre>
 * The queues are every queue the broker knows, those this application's tasks declare, and those its worker
 * consumes. Each read asks the broker (one round trip per queue).
 */
@Endpoint(id = "taskqueue")
public class TaskQueueEndpoint {

    private final Broker broker;
    private final String brokerDescription;
    private final TaskRegistry registry;
    private final Supplier<? extends Collection<String>> workerQueues;
    private final @Nullable ResultBackend results;

    /**
     * @param broker the broker to inspect
     * @param brokerDescription what the broker is, such as {@code redis 127.0.0.1:6379}
     * @param registry this application's tasks
     * @param workerQueues the queues this application's worker consumes (empty without a worker)
     */
    public TaskQueueEndpoint(Broker broker, String brokerDescription, TaskRegistry registry,
            Supplier<? extends Collection<String>> workerQueues) {
        this(broker, brokerDescription, registry, workerQueues, null);
    }

    /**
     * @param results where task records are read, for the task view (none: no task view)
     */
    public TaskQueueEndpoint(Broker broker, String brokerDescription, TaskRegistry registry,
            Supplier<? extends Collection<String>> workerQueues, @Nullable ResultBackend results) {
        this.results = results;
        this.broker = broker;
        this.brokerDescription = brokerDescription;
        this.registry = registry;
        this.workerQueues = workerQueues;
    }

    /** Queues, workers and tasks. */
    @ReadOperation
    public Overview overview() {
        List<QueueDescriptor> queues = broker.stats(queueNames()).stream().map(QueueDescriptor::of)
                .toList();
        List<WorkerDescriptor> workers = broker.workers().stream().map(WorkerDescriptor::of).toList();
        List<TaskDescriptor> tasks = registry.all().stream().map(TaskDescriptor::of).toList();
        return new Overview(brokerDescription, queues, workers, tasks);
    }

    /** One queue's counts, or nothing (404) for a queue nobody uses. */
    @ReadOperation
    public @Nullable QueueDescriptor queue(@Selector String name) {
        return queueNames().contains(name) ? QueueDescriptor.of(broker.stats(name)) : null;
    }

    /**
     * One task by id ({@code kind} is {@code tasks}): its state, timings, attempt, progress, result or error.
     * Nothing (404) for another kind.
     */
    @ReadOperation
    public @Nullable TaskView task(@Selector String kind, @Selector String id) {
        if (!kind.equals("tasks") || results == null) {
            return null;
        }
        return TaskView.of(results.find(null, id));
    }

    private Set<String> queueNames() {
        Set<String> names = new LinkedHashSet<>(registry.queues());
        names.add(registry.defaultQueue());
        names.addAll(workerQueues.get());
        names.addAll(broker.queues());
        return names;
    }

    /**
     * Everything the endpoint shows.
     *
     * @param broker what the broker is
     * @param queues each queue's counts
     * @param workers the workers that heartbeat, and those lost without stopping
     * @param tasks the tasks this application declares
     */
    public record Overview(String broker, List<QueueDescriptor> queues, List<WorkerDescriptor> workers,
            List<TaskDescriptor> tasks) {
    }

    /**
     * A task as stored.
     *
     * @param id its id
     * @param name its name, when known
     * @param queue its queue, when known
     * @param state its state (PENDING when nothing is stored: unknown, queued without a record, or expired)
     * @param worker the worker that runs or ran it
     * @param submittedAt when it was submitted, when known
     * @param startedAt when its last run started
     * @param finishedAt when it finished
     * @param attempt its last run's attempt number
     * @param nextRunAt when it runs again, in RETRY
     * @param progress the fraction done it reported
     * @param progressMessage what it reported with its progress
     * @param result its result as JSON, when it succeeded
     * @param error its error (for RETRY, the last attempt's)
     */
    public record TaskView(String id, @Nullable String name, @Nullable String queue, TaskState state,
            @Nullable String worker, @Nullable Instant submittedAt, @Nullable Instant startedAt,
            @Nullable Instant finishedAt, int attempt, @Nullable Instant nextRunAt, @Nullable Double progress,
            @Nullable String progressMessage, @Nullable String result, @Nullable TaskError error) {

        static TaskView of(TaskInfo info) {
            return new TaskView(info.id(), info.name(), info.queue(), info.state(), info.worker(),
                    info.submittedAt(), info.startedAt(), info.finishedAt(), info.attempt(), info.nextRunAt(),
                    info.progress(), info.progressMessage(), info.resultJson(), info.error());
        }
    }

    /**
     * A queue's counts.
     *
     * @param name the queue
     * @param pending waiting to be claimed
     * @param scheduled waiting for a countdown, an eta or a retry backoff
     * @param active claimed by a worker and not finished
     * @param dead in the dead letters
     * @param oldestPendingAgeMillis how long the oldest pending task has waited, or null when none waits
     */
    public record QueueDescriptor(String name, long pending, long scheduled, long active, long dead,
            @Nullable Long oldestPendingAgeMillis) {

        static QueueDescriptor of(QueueStats stats) {
            return new QueueDescriptor(stats.queue(), stats.pending(), stats.scheduled(), stats.active(),
                    stats.dead(), stats.oldestPendingAgeMillis());
        }
    }

    /**
     * A worker, in any application instance.
     *
     * @param id its id (its consumer name in Redis)
     * @param host its host
     * @param pid its process id
     * @param queues the queues it consumes
     * @param concurrency how many tasks it runs at once at most
     * @param active how many it runs now
     * @param processed how many it finished since it started
     * @param failed how many of those failed
     * @param startedAt when it started
     * @param lastHeartbeat when it last reported
     * @param state RUNNING, STOPPING, or LOST (its heartbeat stopped)
     */
    public record WorkerDescriptor(String id, String host, long pid, List<String> queues, int concurrency,
            int active, long processed, long failed, Instant startedAt, Instant lastHeartbeat, String state) {

        static WorkerDescriptor of(WorkerInfo info) {
            return new WorkerDescriptor(info.id(), info.host(), info.pid(), info.queues(), info.concurrency(),
                    info.active(), info.processed(), info.failed(), Instant.ofEpochMilli(info.startedAt()),
                    Instant.ofEpochMilli(info.lastHeartbeat()), info.state());
        }
    }

    /**
     * A task this application declares.
     *
     * @param name its name
     * @param queue the queue it goes to by default
     * @param priority its default priority
     * @param ignoreResult whether its result is not stored
     * @param bean the bean whose method runs it
     */
    public record TaskDescriptor(String name, String queue, int priority, boolean ignoreResult, String bean) {

        static TaskDescriptor of(TaskDefinition task) {
            return new TaskDescriptor(task.name(), task.queue(), task.priority(), task.ignoreResult(),
                    task.beanName());
        }
    }
}
