package dev.taskqueue.benchmarks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.client.SubmitTransactions;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import dev.taskqueue.workflow.WorkflowEngine;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine wired as an application would wire it, without Spring: a Redis broker, a result backend, the
 * {@link BenchTasks} (and for the chaos scenario the {@link ChaosTasks}) registered, a {@link TaskClient}, and
 * workers on demand. One per scenario (and one per {@link WorkerMain} child); closing it stops its workers and its
 * connections.
 */
final class Engine implements AutoCloseable {

    /** The key prefix of every benchmark key. */
    static final String PREFIX = "bench";

    /** The queue of every scenario that uses one queue. */
    static final String QUEUE = "default";

    /** Threads that read task records at once. */
    private static final int RECORD_READERS = 16;

    final BenchTasks tasks;
    final QueueAdmin admin;
    final TaskClient client;
    private final DefaultTaskClient defaultClient;
    private final RedisConnections connections;
    private final RedisStores stores;
    private final RedisResultBackend results;
    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final int concurrency;
    private final boolean fast;
    private final List<Worker> workers = new ArrayList<>();

    /**
     * @param chaos the chaos scenario's tasks, or null where they are not used (a worker would warn that it does
     *        not consume their queue)
     * @param fast whether workers use the smoke run's short timings instead of the engine's defaults
     */
    Engine(RedisURI redis, BenchTasks tasks, @Nullable ChaosTasks chaos, int concurrency, boolean fast) {
        this.tasks = tasks;
        this.concurrency = concurrency;
        this.fast = fast;
        JsonMapper mapper = JsonMapper.builder().build();
        codec = new MessageCodec(mapper);
        connections = RedisConnections.create(redis);
        stores = new RedisStores(connections, PREFIX);
        admin = stores.admin();
        results = stores.results();
        registry = new TaskRegistry(mapper, QUEUE);
        registry.register("benchTasks", tasks, BenchTasks.class);
        if (chaos != null) {
            registry.register("chaosTasks", chaos, ChaosTasks.class);
        }
        defaultClient = new DefaultTaskClient(stores.broker(), results, stores.workflows(), admin, registry, codec,
                ClientSettings.DEFAULTS, TaskEventListener.of(List.of()), Clock.systemUTC());
        client = defaultClient;
    }

    /**
     * Starts a worker on {@code queues} with the engine's defaults (heartbeat 1 s, dead after 5 s, janitor every
     * 1 s, blocking reads of 2 s, leases taken back after 5 min), except the concurrency of the run and a shutdown
     * timeout of a few seconds; the smoke run's workers are five to ten times faster, and take leases back after
     * 5 s, so that a task left under a live worker's lease comes back within a smoke run. {@code customize} may
     * change anything.
     */
    Worker startWorker(List<String> queues, Consumer<WorkerSettings.Builder> customize) {
        WorkerSettings.Builder settings = WorkerSettings.builder().shutdownTimeout(Duration.ofSeconds(5));
        if (concurrency != Options.ADAPTIVE) {
            settings.concurrency(concurrency);
        }
        if (fast) {
            settings.heartbeatInterval(Duration.ofMillis(200)).livenessTimeout(Duration.ofSeconds(1))
                    .janitorInterval(Duration.ofMillis(200)).pollTimeout(Duration.ofMillis(200))
                    .visibilityTimeout(Duration.ofSeconds(5));
        }
        queues.forEach(settings::queue);
        customize.accept(settings);
        Worker worker = new Worker(stores.broker(), stores.workflows(), registry, codec, settings.build(),
                TaskEventListener.of(List.of()), Clock.systemUTC());
        worker.start();
        workers.add(worker);
        return worker;
    }

    Worker startWorker(List<String> queues) {
        return startWorker(queues, s -> { });
    }

    /** How long a worker that stops heartbeating is taken for alive. */
    Duration livenessTimeout() {
        return fast ? Duration.ofSeconds(1) : WorkerSettings.DEFAULT_LIVENESS_TIMEOUT;
    }

    void stopWorker(Worker worker) {
        worker.stop();
        workers.remove(worker);
    }

    /** Tasks of these queues waiting to be claimed (the backlog). */
    long pending(List<String> queues) {
        return admin.stats(queues).stream().mapToLong(QueueStats::pending).sum(); // one round trip for all
    }

    /** Tasks of these queues not yet acknowledged: waiting, delayed or running. */
    long unfinished(List<String> queues) {
        return admin.stats(queues).stream().mapToLong(stats -> stats.pending() + stats.active() + stats.scheduled())
                .sum();
    }

    /**
     * The records of these tasks of {@code queue}, read by a few threads at once (the shared connection pipelines
     * them); a task whose read failed (Redis down) is absent.
     */
    Map<String, TaskInfo> infos(String queue, Collection<String> taskIds) {
        ExecutorService readers = Executors.newFixedThreadPool(RECORD_READERS);
        try {
            Map<String, Future<TaskInfo>> reads = new LinkedHashMap<>();
            taskIds.forEach(id -> reads.put(id, readers.submit(() -> results.find(queue, id))));
            Map<String, TaskInfo> infos = new LinkedHashMap<>();
            for (Map.Entry<String, Future<TaskInfo>> read : reads.entrySet()) {
                try {
                    infos.put(read.getKey(), read.getValue().get());
                }
                catch (ExecutionException ex) {
                    // absent
                }
            }
            return infos;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Deadline.DidNotFinish("reading task records (interrupted)");
        }
        finally {
            readers.shutdownNow();
        }
    }

    /** This engine's client, with submits made in transactions handled by {@code transactions}. */
    TaskClient clientWith(SubmitTransactions transactions) {
        return defaultClient.withTransactions(transactions);
    }

    /** What writes a transaction's submissions to Redis, as the auto-configuration builds it. */
    SubmissionSender submissionSender() {
        return new SubmissionSender(stores.broker(), stores.workflows(), TaskEventListener.of(List.of()));
    }

    /** Where task records are read (the outbox's tracker asks it whether another relay sent a row). */
    ResultBackend results() {
        return results;
    }

    /** Celery's protocol on {@code lettuce} (this engine's Redis), knowing this engine's tasks. */
    CeleryInterop celery(AbstractRedisClient lettuce, CeleryInterop.Options options) {
        return new CeleryInterop(() -> lettuce, Duration.ofSeconds(10), options, registry, codec);
    }

    /** What tasks a worker runs submit through: this engine's broker and workflow store. */
    WorkflowEngine workflows() {
        return DefaultTaskClient.workflowEngine(stores.broker(), stores.workflows(),
                TaskCatalog.local(registry, codec.mapper()), codec, ClientSettings.DEFAULTS, List.of(),
                TaskEventListener.of(List.of()), Clock.systemUTC());
    }

    @Override
    public void close() {
        for (Worker worker : List.copyOf(workers)) {
            stopWorker(worker);
        }
        stores.close();
        connections.close();
    }
}
