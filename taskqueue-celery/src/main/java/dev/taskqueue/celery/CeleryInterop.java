package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.WorkerSettings;
import dev.taskqueue.workflow.WorkflowEngine;
import io.lettuce.core.AbstractRedisClient;
import org.jspecify.annotations.Nullable;

/**
 * Celery's protocol for one application, on one Redis: a {@link TaskClient} that sends calls to Celery queues in
 * Celery's format ({@link #client}), and a worker that runs Celery messages on the application's {@code @Task}
 * methods ({@link #worker}), seen by Celery's monitors and answering its remote control. The auto-configuration builds
 * it from {@code taskqueue.celery.*}.
 */
public final class CeleryInterop implements AutoCloseable {

    /**
     * What the application says about Celery.
     *
     * @param queues the queues in Celery's format (kombu lists), such as {@code celery}
     * @param routes task name pattern ({@code *} for any characters) to the Celery queue its calls go to
     * @param defaultQueue where a workflow's step without a queue goes (Celery's {@code task_default_queue})
     * @param resultExpires how long results are kept (Celery's {@code result_expires})
     * @param database the Redis database the client selects, which names Celery's pub/sub channels
     * @param host the Redis host, as remote control's {@code stats} shows it
     * @param port the Redis port, as remote control's {@code stats} shows it
     */
    public record Options(List<String> queues, Map<String, String> routes, String defaultQueue, Duration resultExpires,
            int database, String host, int port) {
    }

    /**
     * What a Java worker on Celery queues does.
     *
     * @param nodename its node name ({@code name@host})
     * @param queues the Celery queues it consumes
     * @param concurrency how many tasks it runs at once
     * @param trackStarted whether STARTED is stored when a task starts
     * @param sendTaskEvents whether it sends task events (Celery's {@code -E}); worker events are always sent
     * @param heartbeat how often it sends {@code worker-heartbeat} (Celery's default is 2 s)
     * @param visibilityTimeout kombu's visibility timeout, for deliveries of Python workers that died
     * @param liveness how soon the deliveries of a Java worker that died come back
     * @param remoteControl whether it answers Celery's remote control ({@code celery inspect ping}, revoke)
     */
    public record WorkerOptions(String nodename, List<String> queues, int concurrency, boolean trackStarted,
            boolean sendTaskEvents, Duration heartbeat, Duration visibilityTimeout, Duration liveness,
            boolean remoteControl) {

        /** How many tasks a Java worker runs at once by default. */
        public static final int DEFAULT_CONCURRENCY = 64;

        /** Celery's default heartbeat interval. */
        public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);

        /** Kombu's default visibility timeout. */
        public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofHours(1);

        /** How soon the messages of a Java worker that stopped beating come back by default. */
        public static final Duration DEFAULT_LIVENESS = Duration.ofSeconds(10);

        public WorkerOptions {
            queues = List.copyOf(queues);
            if (queues.isEmpty()) {
                throw new IllegalArgumentException("A Celery worker needs at least one queue to consume");
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("A Celery worker's concurrency must be at least 1, not "
                        + concurrency);
            }
        }
    }

    private final Options options;
    private final CeleryRedis redis;
    private final CeleryRoutes routes;
    private final CeleryResults results;
    private final CeleryControl control;
    private final TaskRegistry registry;
    private final MessageCodec codec;

    /**
     * @param client the application's Lettuce client (a standalone or Sentinel Redis: kombu has no Cluster transport)
     */
    public CeleryInterop(Supplier<AbstractRedisClient> client, Duration commandTimeout, Options options,
            TaskRegistry registry, MessageCodec codec) {
        this.options = options;
        this.redis = new CeleryRedis(client, options.database(), commandTimeout);
        this.routes = new CeleryRoutes(options.queues(), options.routes());
        this.results = new CeleryResults(redis, options.resultExpires());
        this.control = new CeleryControl(redis);
        this.registry = registry;
        this.codec = codec;
    }

    /** The application's client, with calls to Celery queues sent in Celery's protocol. */
    public TaskClient client(TaskClient delegate) {
        CeleryClient celery = new CeleryClient(redis, routes, results, control, registry, codec.mapper(),
                Clock.systemUTC());
        return new CeleryTaskClient(delegate, celery, TaskOptions.defaults(), results, control, codec.mapper());
    }

    /**
     * A worker on Celery queues, not started: its tasks run through the steps of a taskqueue worker of
     * {@code settings} (policies, bounds, interceptors, listeners); what they submit goes through {@code workflows}.
     */
    public Worker worker(WorkerOptions worker, WorkerSettings settings, TaskEventListener listener,
            List<TaskInterceptor> interceptors, WorkflowEngine workflows) {
        for (String queue : worker.queues()) {
            if (!routes.isCeleryQueue(queue)) {
                throw new IllegalArgumentException("taskqueue.celery.worker.queues has '" + queue + "', which is not "
                        + "a Celery queue: add it to taskqueue.celery.queues " + options.queues());
            }
        }
        CeleryWorker celeryWorker = new CeleryWorker(worker, redis, routes, registry, codec,
                InlineWorker.runner(registry, codec, settings, listener, interceptors, workflows, Clock.systemUTC()),
                options.defaultQueue(), options.resultExpires(), Clock.systemUTC());
        return new Worker(celeryWorker, worker, redis, options);
    }

    @Override
    public void close() {
        results.close();
        redis.close();
    }

    /** A Java worker on Celery queues: {@link #start()}, then {@link #stop(Duration)}. */
    public static final class Worker {

        private final CeleryWorker worker;
        private final WorkerOptions options;
        private final CeleryRedis redis;
        private final Options connection;
        private @Nullable CeleryMonitoring monitoring;

        Worker(CeleryWorker worker, WorkerOptions options, CeleryRedis redis, Options connection) {
            this.worker = worker;
            this.options = options;
            this.redis = redis;
            this.connection = connection;
        }

        /** Starts taking messages, sending events and answering remote control. */
        public void start() {
            worker.start();
            monitoring = CeleryMonitoring.start(worker, options, redis, connection.host(), connection.port());
        }

        /** Stops taking messages; lets tasks running end within {@code timeout}; hands back the rest. */
        public void stop(Duration timeout) {
            worker.stop(timeout);
            if (monitoring != null) {
                monitoring.close();
            }
        }

        /** Its node name. */
        public String nodename() {
            return worker.nodename();
        }
    }
}
