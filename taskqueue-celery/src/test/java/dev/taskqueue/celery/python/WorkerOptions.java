package dev.taskqueue.celery.python;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * How to start a Python Celery worker: {@link #defaults()}, then the {@code with...} methods, each returning a copy.
 *
 * @param queues the queues it reads ({@code -Q}); by default {@value #DEFAULT_QUEUE}
 * @param nodename its node name ({@code -n}); null gives a unique {@code py-<n>@localhost}
 * @param concurrency 0 for the solo pool (one task at a time, in the worker process itself), else a prefork pool of
 *        that many child processes
 * @param events whether it sends task events ({@code -E}, and {@code CELERY_EVENTS=1} for the app)
 * @param mingleAndGossip whether it talks to the other workers at start and while running; off by default, as it
 *        costs a second or more at start and the tests rarely need it
 * @param env extra environment variables, e.g. {@code VISIBILITY_TIMEOUT}
 * @param startTimeout how long to wait for the worker's "ready." before giving up
 * @param app the Celery app it runs ({@code -A}); null for the test app {@code proj}
 */
public record WorkerOptions(List<String> queues, @Nullable String nodename, int concurrency, boolean events,
        boolean mingleAndGossip, Map<String, String> env, Duration startTimeout, @Nullable App app) {

    /**
     * A Celery app other than the test app, such as the sample's.
     *
     * @param directory where it lives: the worker's working directory and {@code PYTHONPATH}
     * @param module what {@code -A} names, such as {@code tasks} for {@code tasks.py}
     */
    public record App(Path directory, String module) {
    }

    /** Celery's default queue, which the test app also names {@code task_default_queue}. */
    public static final String DEFAULT_QUEUE = "celery";

    /** Generous: a cold start of Celery 5.2 takes 1 to 3 s, more on a loaded CI machine. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    public WorkerOptions {
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("A worker needs at least one queue to read: give withQueues a name");
        }
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency is 0 (solo pool) or the number of prefork children, not "
                    + concurrency);
        }
        queues = List.copyOf(queues);
        env = Map.copyOf(env);
    }

    /** Solo pool, queue {@value #DEFAULT_QUEUE}, a unique node name, no events, no mingle or gossip. */
    public static WorkerOptions defaults() {
        return new WorkerOptions(List.of(DEFAULT_QUEUE), null, 0, false, false, Map.of(), DEFAULT_START_TIMEOUT,
                null);
    }

    public WorkerOptions withQueues(String... names) {
        return new WorkerOptions(List.of(names), nodename, concurrency, events, mingleAndGossip, env, startTimeout,
                app);
    }

    /** A node name such as {@code py-orders@localhost}, which control commands and events carry. */
    public WorkerOptions withNodename(String name) {
        return new WorkerOptions(queues, name, concurrency, events, mingleAndGossip, env, startTimeout, app);
    }

    /** A prefork pool of {@code children} processes ({@code -P prefork -c <children>}). */
    public WorkerOptions withPrefork(int children) {
        if (children < 1) {
            throw new IllegalArgumentException("A prefork pool needs at least one child, not " + children);
        }
        return new WorkerOptions(queues, nodename, children, events, mingleAndGossip, env, startTimeout, app);
    }

    public WorkerOptions withEvents() {
        return new WorkerOptions(queues, nodename, concurrency, true, mingleAndGossip, env, startTimeout, app);
    }

    public WorkerOptions withMingleAndGossip() {
        return new WorkerOptions(queues, nodename, concurrency, events, true, env, startTimeout, app);
    }

    /** One more environment variable for the worker process. */
    public WorkerOptions withEnv(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(env);
        more.put(name, value);
        return new WorkerOptions(queues, nodename, concurrency, events, mingleAndGossip, more, startTimeout, app);
    }

    /**
     * Another Celery app than the test app {@code proj}: {@code python -m celery -A <module> worker} run in
     * {@code directory}; it gets its broker from {@link #withEnv} (the harness's own variable,
     * {@code TASKQUEUE_CELERY_REDIS}, is set too).
     */
    public WorkerOptions withApp(Path directory, String module) {
        return new WorkerOptions(queues, nodename, concurrency, events, mingleAndGossip, env, startTimeout,
                new App(directory, module));
    }

    public WorkerOptions withStartTimeout(Duration timeout) {
        return new WorkerOptions(queues, nodename, concurrency, events, mingleAndGossip, env, timeout, app);
    }
}
