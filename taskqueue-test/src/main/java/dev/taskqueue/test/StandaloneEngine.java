package dev.taskqueue.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisCatalog;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.RedisResultBackend;
import dev.taskqueue.schedule.PeriodicTasks;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine of a test without Spring, wired as an application's would be, on a prefix of its own of the
 * {@link TestRedis}: a client, a worker over the registered task beans (built at each start, with short timeouts so
 * that it stops at once), and a scheduler over their {@code @Periodic} methods that never runs by itself.
 */
final class StandaloneEngine implements Engine {

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final MessageCodec codec = new MessageCodec(mapper);
    private final RedisConnections connections;
    private final RedisBroker broker;
    private final RedisResultBackend results;
    private final TaskRegistry registry;
    private final TaskCatalog catalog;
    private final DefaultTaskClient client;
    private final TaskEventListener listener;
    private final Clock schedulesClock;
    private @Nullable Worker worker;
    private @Nullable Scheduler scheduler;
    /** How many tasks were registered when {@link #scheduler} was built. */
    private int scheduledTasks = -1;

    StandaloneEngine(String keyPrefix, Clock schedulesClock, TaskEventListener listener) {
        this.schedulesClock = schedulesClock;
        this.listener = listener;
        connections = RedisConnections.using(TestRedis.client(), TestRedis.address());
        broker = new RedisBroker(connections, keyPrefix, RedisBroker.DeadLetterPolicy.DEFAULT);
        results = new RedisResultBackend(broker, ClientSettings.DEFAULTS.resultTtl());
        registry = new TaskRegistry(mapper, ClientSettings.DEFAULTS.defaultQueue());
        catalog = new TaskCatalog(registry, new RedisCatalog(broker), mapper, Clock.systemUTC());
        client = new DefaultTaskClient(broker, results, catalog, codec, ClientSettings.DEFAULTS, listener, List.of(),
                Clock.systemUTC());
    }

    @Override
    public RedisBroker broker() {
        return broker;
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public TaskClient client() {
        return client;
    }

    @Override
    public synchronized void register(Object... taskBeans) {
        if (workerRunning()) {
            throw new IllegalStateException("Register task beans before the worker starts: it consumes the queues "
                    + "they declare, as they were when it started");
        }
        for (Object bean : taskBeans) {
            registry.register(bean.getClass().getSimpleName(), bean, bean.getClass());
        }
    }

    @Override
    public synchronized boolean workerRunning() {
        return worker != null && worker.state() == Worker.State.RUNNING;
    }

    @Override
    public synchronized void startWorker() {
        if (workerRunning()) {
            return;
        }
        WorkerSettings.Builder settings = WorkerSettings.builder().heartbeatInterval(Duration.ofMillis(200))
                .livenessTimeout(Duration.ofSeconds(1)).janitorInterval(Duration.ofMillis(200))
                .pollTimeout(Duration.ofMillis(500)).shutdownTimeout(Duration.ofSeconds(5));
        registry.declaredQueues().forEach(settings::queue);
        Worker started = new Worker(broker, catalog, codec, settings.build(), listener, List.of(),
                DefaultTaskClient.workflowEngine(broker, catalog, codec, ClientSettings.DEFAULTS, List.of(), listener,
                        Clock.systemUTC()), Clock.systemUTC());
        started.start();
        worker = started;
    }

    @Override
    public synchronized void stopWorker() {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }

    @Override
    public List<String> consumedQueues() {
        return List.copyOf(registry.declaredQueues());
    }

    @Override
    public synchronized @Nullable Instant submitDueTicks() {
        if (scheduler == null || scheduledTasks != registry.all().size()) {
            // Schedules of beans registered since start at the current time, as a new instance's would.
            scheduler = new Scheduler(broker, client, PeriodicTasks.declaredIn(registry),
                    Scheduler.DEFAULT_MISFIRE_GRACE, Scheduler.DEFAULT_REFRESH_INTERVAL, schedulesClock);
            scheduledTasks = registry.all().size();
        }
        return scheduler.submitDueTicks();
    }

    @Override
    public boolean manualWorker() {
        return true;
    }

    @Override
    public synchronized void close() {
        stopWorker();
        try {
            broker.forgetEverything();
        }
        finally {
            results.close();
            broker.close();
            connections.close();
        }
    }
}
