package dev.taskqueue.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.redis.RedisSchedules;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.RedisWorkflows;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the engine against the shared test Redis, as an application would: a client, and workers on demand.
 * Close it after each test, or let JUnit: as a {@code @RegisterExtension} field, it closes after each test itself.
 */
public final class TaskQueueFixture implements AutoCloseable, AfterEachCallback {

    public static final String PREFIX = "taskqueue";

    public final JsonMapper mapper = JsonMapper.builder().build();
    public final MessageCodec codec = new MessageCodec(mapper);
    public final RedisConnections connections;
    /** Every store on the test Redis; the fields below are its stores. */
    public final RedisStores stores;
    public final RedisBroker broker;
    public final RedisQueueAdmin admin;
    public final RedisResultBackend results;
    public final RedisWorkflows workflows;
    public final RedisSchedules schedules;
    public final TaskRegistry registry;
    /** This application's tasks and those published to the shared test Redis. */
    public final TaskCatalog catalog;
    public final DefaultTaskClient client;
    private final ClientSettings clientSettings;
    /** Listeners of the client and the workers; tests may add to it at any time. */
    public final List<TaskEventListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** Each task's outcome as its worker told it (not its record), by task id, from now on. */
    public Map<String, TaskEventListener.Outcome> recordOutcomes() {
        Map<String, TaskEventListener.Outcome> outcomes = new ConcurrentHashMap<>();
        listeners.add(new TaskEventListener() {
            @Override
            public void finished(Execution execution) {
                outcomes.put(execution.taskId(), execution.outcome());
            }
        });
        return outcomes;
    }

    public TaskQueueFixture(Object... taskBeans) {
        this(ClientSettings.DEFAULTS, taskBeans);
    }

    public TaskQueueFixture(ClientSettings clientSettings, Object... taskBeans) {
        this(sharedRedis(), SubmitRetry.DEFAULT, clientSettings, taskBeans);
    }

    /**
     * A fixture on a Redis of the test's own, such as one it puts in a state or stops, through {@code connections}
     * (which it closes), whose submits try again as {@code submitRetry} says.
     */
    public TaskQueueFixture(RedisConnections connections, SubmitRetry submitRetry, Object... taskBeans) {
        this(connections, submitRetry, ClientSettings.DEFAULTS, taskBeans);
    }

    private TaskQueueFixture(RedisConnections connections, SubmitRetry submitRetry, ClientSettings clientSettings,
            Object... taskBeans) {
        this.connections = connections;
        stores = new RedisStores(connections, PREFIX, RedisStores.Options.DEFAULTS.withSubmitRetry(submitRetry)
                .withResultTtl(clientSettings.resultTtl()));
        broker = stores.broker();
        admin = stores.admin();
        results = stores.results();
        workflows = stores.workflows();
        schedules = stores.schedules();
        registry = new TaskRegistry(mapper, clientSettings.defaultQueue());
        for (Object bean : taskBeans) {
            registry.register(bean.getClass().getSimpleName(), bean, bean.getClass());
        }
        catalog = new TaskCatalog(registry, stores.catalog(), mapper, Clock.systemUTC());
        this.clientSettings = clientSettings;
        client = new DefaultTaskClient(broker, results, workflows, admin, catalog, codec, clientSettings, event(),
                List.of(), Clock.systemUTC());
    }

    /**
     * A client as another service has one: it declares no task and sends names it does not know, unchecked (to
     * see what workers do with what a foreign or buggy producer sends).
     */
    public DefaultTaskClient foreignClient() {
        return new DefaultTaskClient(broker, results, workflows, admin, TaskCatalog.local(new TaskRegistry(mapper,
                clientSettings.defaultQueue()), mapper), codec, clientSettings.allowingUnknownTasks(true), event(),
                List.of(), Clock.systemUTC());
    }

    private static RedisConnections sharedRedis() {
        SharedRedis.flush();
        return RedisConnections.using(SharedRedis.client(), "127.0.0.1:" + SharedRedis.port());
    }

    /** One listener that calls whatever is in {@link #listeners} at the time of each event. */
    public TaskEventListener event() {
        return new TaskEventListener() {
            @Override
            public void submitted(String taskName, String queue) {
                listeners.forEach(l -> l.submitted(taskName, queue));
            }

            @Override
            public void sent(String taskId, String taskName, String queue) {
                listeners.forEach(l -> l.sent(taskId, taskName, queue));
            }

            @Override
            public void received(String taskId, String taskName, String queue) {
                listeners.forEach(l -> l.received(taskId, taskName, queue));
            }

            @Override
            public void duplicateSubmitted(String taskName, String queue) {
                listeners.forEach(l -> l.duplicateSubmitted(taskName, queue));
            }

            @Override
            public void started(String taskId, String taskName, String queue, Duration queueWait) {
                listeners.forEach(l -> l.started(taskId, taskName, queue, queueWait));
            }

            @Override
            public void finished(Execution execution) {
                listeners.forEach(l -> l.finished(execution));
            }

            @Override
            public void outcomeRefused(String taskId, String taskName, String queue) {
                listeners.forEach(l -> l.outcomeRefused(taskId, taskName, queue));
            }
        };
    }

    /** Fast settings for tests: short heartbeats and timeouts. */
    public static WorkerSettings.Builder fastSettings() {
        return WorkerSettings.builder().heartbeatInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofSeconds(1)).visibilityTimeout(Duration.ofSeconds(30))
                .janitorInterval(Duration.ofMillis(200)).pollTimeout(Duration.ofMillis(500))
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    /** Starts a worker with the fixture's tasks. */
    public Worker startWorker(Consumer<WorkerSettings.Builder> customize) {
        WorkerSettings.Builder settings = fastSettings();
        customize.accept(settings);
        Worker worker = new Worker(broker, catalog, codec, settings.build(), event(), List.of(),
                DefaultTaskClient.workflowEngine(broker, workflows, catalog, codec, clientSettings, List.of(), event(),
                        Clock.systemUTC()),
                Clock.systemUTC());
        worker.start();
        workers.add(worker);
        return worker;
    }

    public Worker startWorker() {
        return startWorker(s -> { });
    }

    public void onClose(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        workers.forEach(Worker::stop);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            }
            catch (Exception ex) {
                // best effort
            }
        }
        stores.close();
        connections.close();
    }
}
