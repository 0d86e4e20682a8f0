package dev.taskqueue.worker;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks from a set of queues. Owns the parts below, starts them in this order and stops them in reverse:
 * <ol>
 * <li>{@link Heartbeat}: registers the worker before anything is claimed, and extends long leases;</li>
 * <li>{@link Acker}: records outcomes in batches;</li>
 * <li>{@link Promoter}: moves due delayed tasks to their queues;</li>
 * <li>{@link Janitor}: recovers tasks of dead workers;</li>
 * <li>{@link CatalogPublisher}: publishes the tasks it runs to the task catalog;</li>
 * <li>{@link Fetcher} with its {@link Processor}: claims tasks for free slots and runs them.</li>
 * </ol>
 * Stopping is two-phase: quiet (stop claiming), then wait up to {@code shutdownTimeout} for running tasks, record
 * their outcomes, and hand back at once whatever has not finished (another worker takes it; this worker's late
 * outcome would be refused).
 * <p>
 * A fatal error in any of its threads, such as an {@link OutOfMemoryError}, {@linkplain #halt halts} it instead (see
 * {@link FatalErrors}): a worker that can no longer finish tasks must not go on proving it is alive.
 */
public final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** How long a stopping worker tries to record the outcomes of finished tasks. */
    private static final Duration RECORD_OUTCOMES_LIMIT = Duration.ofSeconds(10);

    /** How long a stopping worker waits for any other single call to the broker. */
    private static final Duration REDIS_CALL_LIMIT = Duration.ofSeconds(5);

    /** A worker's life. */
    public enum State {
        NEW, RUNNING, STOPPING, STOPPED,

        /**
         * Halted by a fatal error in one of its threads ({@link #fatalError()}): it claims and heartbeats no more, and
         * its tasks run again on other workers once it is seen dead.
         */
        FAILED
    }

    private final String id;
    private final String host;
    private final long pid;
    private final Broker broker;
    private final WorkerSettings settings;
    private final Clock clock;
    private final Slots slots;
    private final AdaptiveConcurrency concurrency;
    private final RunningTasks running;
    private final Acker acker;
    private final Processor processor;
    private final Fetcher fetcher;
    private final Promoter promoter;
    private final Heartbeat heartbeat;
    private final Janitor janitor;
    private final CatalogPublisher catalogPublisher;
    private final @Nullable HistoryRecorder history;
    private final Liveness liveness;
    private final Problems problems;
    private final TaskRegistry registry;
    private final FatalErrors fatal;
    private volatile @Nullable String fatalError;
    private volatile State state = State.NEW;
    private volatile @Nullable AutoCloseable revocations;
    private volatile long startedAt;

    /** A worker that keeps the state of the workflows it continues in {@code workflowStore}. */
    public Worker(Broker broker, WorkflowStore workflowStore, TaskRegistry registry, MessageCodec codec,
            WorkerSettings settings, TaskEventListener listener, Clock clock) {
        this(broker, workflowStore, registry, codec, settings, listener, List.of(), clock);
    }

    /** A worker whose task runs go through these interceptors, in order. */
    public Worker(Broker broker, WorkflowStore workflowStore, TaskRegistry registry, MessageCodec codec,
            WorkerSettings settings, TaskEventListener listener, List<TaskInterceptor> interceptors, Clock clock) {
        this(broker, registry, codec, settings, listener, interceptors, DefaultTaskClient.workflowEngine(broker,
                workflowStore, TaskCatalog.local(registry, codec.mapper()), codec,
                new ClientSettings(WorkerSettings.DEFAULT_QUEUE, ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE,
                        settings.resultTtl()), interceptors, listener, clock),
                clock);
    }

    /**
     * A worker that starts the next steps of workflows with {@code workflows}
     * ({@link DefaultTaskClient#workflowEngine}, with the application's client settings).
     */
    public Worker(Broker broker, TaskRegistry registry, MessageCodec codec, WorkerSettings settings,
            TaskEventListener listener, List<TaskInterceptor> interceptors, WorkflowEngine workflows, Clock clock) {
        this(broker, TaskCatalog.local(registry, codec.mapper()), codec, settings, listener, interceptors, workflows,
                clock);
    }

    /**
     * A worker that runs the tasks of {@code catalog}'s registry and publishes them to the catalog, and starts the
     * next steps of workflows with {@code workflows}.
     */
    public Worker(Broker broker, TaskCatalog catalog, MessageCodec codec, WorkerSettings settings,
            TaskEventListener listener, List<TaskInterceptor> interceptors, WorkflowEngine workflows, Clock clock) {
        TaskRegistry registry = catalog.registry();
        this.registry = registry;
        this.host = hostName();
        this.pid = ProcessHandle.current().pid();
        this.id = settings.workerId() != null ? settings.workerId()
                : host + "-" + pid + "-" + UUID.randomUUID().toString().substring(0, 6);
        this.broker = broker;
        this.settings = settings;
        this.clock = clock;
        this.slots = new Slots(settings.concurrency());
        this.problems = new Problems(clock);
        this.fatal = new FatalErrors(id, settings.onFatalError(), this::halt);
        WorkerContext worker = new WorkerContext(id, broker, settings, listener, clock, problems, fatal);
        this.acker = new Acker(worker);
        this.history = settings.history() ? new HistoryRecorder(worker) : null;
        this.running = new RunningTasks(worker, slots, acker, history);
        this.liveness = new Liveness(settings.heartbeatGapMillis());
        LeaseCheck leases = new LeaseCheck(id, broker, liveness);
        ExecutorService threads = TaskThreads.forTasks(settings.virtualThreads(), "taskqueue-task-", fatal);
        this.concurrency = new AdaptiveConcurrency(id, settings, slots, System::nanoTime);
        this.processor = new Processor(worker, new TaskRuntime(registry, codec, interceptors, workflows), running,
                leases, threads, concurrency);
        this.fetcher = new Fetcher(worker, slots, processor, acker, leases, concurrency);
        this.promoter = new Promoter(worker);
        this.heartbeat = new Heartbeat(worker, running, this::info, liveness);
        this.janitor = new Janitor(worker, liveness);
        this.catalogPublisher = new CatalogPublisher(worker, catalog, TaskCatalog.PUBLISH_INTERVAL);
    }

    /** The worker's id: its consumer name in Redis, shown in the actuator. */
    public String id() {
        return id;
    }

    public State state() {
        return state;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /** Starts claiming and running tasks. Redis being down is not fatal: every part retries until it answers. */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("Worker " + id + " is " + state + "; a worker starts once");
        }
        startedAt = clock.millis();
        state = State.RUNNING;
        try {
            broker.declare(settings.queueNames());
        }
        catch (RuntimeException ex) {
            log.warn("Worker {} could not declare its queues yet ({}); it will as soon as Redis answers", id,
                    ex.getMessage());
        }
        heartbeat.start();
        try {
            revocations = broker.onRevoked(running::revoked);
        }
        catch (RuntimeException ex) {
            log.warn("Worker {} could not subscribe to revocations ({}); it finds them at its heartbeats instead",
                    id, ex.getMessage());
        }
        acker.start();
        if (history != null) {
            history.start();
        }
        promoter.start();
        janitor.start();
        catalogPublisher.start();
        fetcher.start();
        if (fatal.met()) {
            haltParts(); // a part's thread met a fatal error while the parts after it were starting
        }
        log.info("Worker {} started: queues {}{}, concurrency {}, {} threads", id, settings.queueNames(),
                settings.strictOrder() ? " (strict order)" : "", settings.adaptiveConcurrency()
                        ? settings.concurrency() + " adapting up to " + settings.maxConcurrency()
                        : settings.concurrency() + " (fixed)",
                TaskThreads.virtualThreadsAvailable(settings.virtualThreads()) ? "virtual" : "platform");
        warnOfQueuesNotConsumed();
    }

    /**
     * A queue this application's tasks declare but this worker does not consume (its queues were configured)
     * waits for a worker elsewhere: say so, since a forgotten queue otherwise fails silently.
     */
    private void warnOfQueuesNotConsumed() {
        Map<String, List<String>> declaredBy = new TreeMap<>();
        for (TaskDefinition task : registry.all()) {
            if (!settings.queueNames().contains(task.queue())) {
                declaredBy.computeIfAbsent(task.queue(), q -> new ArrayList<>()).add(task.name());
            }
        }
        if (!declaredBy.isEmpty()) {
            log.warn("Worker {} does not consume queues that this application's tasks declare: {} (queue: tasks). "
                    + "Their tasks wait until another worker consumes them: add the queues to the worker's queues "
                    + "(taskqueue.worker.queues) unless another deployment does.", id, declaredBy);
        }
    }

    /** Stops within {@code shutdownTimeout} (plus a few seconds to record outcomes and hand tasks back). */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            if (state != State.FAILED) {
                state = State.STOPPED;
            }
            return;
        }
        state = State.STOPPING;
        long started = System.nanoTime();
        // 1. Quiet: claim nothing more. Tasks already claimed run.
        fetcher.stop();
        // 2. Let running tasks finish, up to the shutdown timeout.
        boolean idle = awaitIdle(settings.shutdownTimeout());
        // With Redis unreachable there is nothing to record or hand back: what this worker holds runs again
        // elsewhere once it is seen dead, so do not make the application wait for timeouts.
        boolean reachable = !fatal.met() && broker.ping(); // after a fatal error: no word to Redis
        if (!reachable) {
            log.warn("Worker {} is stopping while Redis is unreachable: the outcomes of its last tasks are not recorded"
                    + " and its unfinished tasks are not handed back; both run again on another worker once this one"
                    + " is seen dead", id);
        }
        // 3. Record the outcomes of everything that finished, before handing anything back.
        if (reachable) {
            bounded("record the outcomes of finished tasks", RECORD_OUTCOMES_LIMIT,
                    () -> acker.stop(System.nanoTime() + RECORD_OUTCOMES_LIMIT.toNanos()));
        }
        // 4. Hand back what did not finish (and anything claimed in a race with the stop), then interrupt it.
        int unfinished = running.size();
        if (reachable) {
            bounded("hand back its unfinished tasks", REDIS_CALL_LIMIT,
                    () -> broker.releaseAll(id, settings.queueNames()));
        }
        if (!idle) {
            log.warn("Worker {}: {} task(s) still running after the shutdown timeout of {} were handed back to "
                    + "their queues and interrupted", id, unfinished, settings.shutdownTimeout());
            processor.interruptAll();
        }
        processor.shutdown(Duration.ofSeconds(1));
        // 5. The background parts, the heartbeat last: the worker is alive until it has handed everything back.
        closeQuietly(revocations);
        catalogPublisher.stop();
        if (reachable) {
            bounded("withdraw from the task catalog", REDIS_CALL_LIMIT, catalogPublisher::withdraw);
        }
        janitor.stop();
        promoter.stop();
        if (history != null) {
            if (reachable) {
                bounded("add its last counts to the task history", REDIS_CALL_LIMIT, history::stop);
            }
            else {
                history.halt();
            }
        }
        heartbeat.stop();
        if (reachable) {
            bounded("deregister", REDIS_CALL_LIMIT, () -> broker.deregister(id));
        }
        if (state != State.FAILED) {
            state = State.STOPPED;
        }
        log.info("Worker {} stopped in {} ms", id, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /**
     * After a fatal error in {@code thread} (see {@link FatalErrors}), once: stops heartbeating, claiming and everything
     * else at once, on the thread that met the error. Only flags and interrupts, never a call to Redis (the state of
     * the connections is unknown) nor a wait: other workers take this one's tasks once it is seen dead, exactly as
     * after a crash. Running tasks are interrupted, since their outcomes would not be recorded.
     */
    private void halt(Thread thread, Throwable error) {
        haltParts();
        try {
            fatalError = error + " in thread " + thread.getName();
        }
        catch (Throwable outOfMemory) {
            fatalError = "a fatal error";
        }
        state = State.FAILED;
    }

    /**
     * The heartbeat first: whatever happens next, this worker stops proving it is alive. The acker before the tasks
     * are interrupted, so that the interruption is not recorded as their outcome: they run again elsewhere.
     */
    private void haltParts() {
        heartbeat.halt();
        fetcher.halt();
        acker.halt();
        processor.halt();
        janitor.halt();
        promoter.halt();
        catalogPublisher.halt();
        if (history != null) {
            history.halt();
        }
    }

    /**
     * Runs a stop-time call to the broker for at most {@code limit}: with Redis down, a stopping worker must not
     * hang for the client's command timeout. What was not done is recovered once this worker is seen dead.
     */
    private void bounded(String what, Duration limit, Runnable call) {
        CompletableFuture<Void> done = CompletableFuture.runAsync(call, runnable -> TaskThreads.daemon(
                "taskqueue-stop-" + id, runnable, fatal).start());
        try {
            done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            Throwable cause = ex instanceof ExecutionException ? ex.getCause() : ex;
            log.warn("Worker {} could not {} while stopping ({}); its tasks run again on another worker once this "
                    + "one is seen dead", id, what, cause.getMessage() != null ? cause.getMessage() : cause);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(@Nullable AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            }
            catch (Exception ex) {
                log.debug("Could not unsubscribe", ex);
            }
        }
    }

    private boolean awaitIdle(Duration timeout) {
        try {
            return slots.awaitIdle(timeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What the heartbeat publishes. */
    public WorkerInfo info() {
        return new WorkerInfo(id, host, pid, settings.queueNames(), concurrency.current(), settings.maxConcurrency(),
                running.size(), running.processed(), running.failed(), startedAt, clock.millis(), state.name());
    }

    /**
     * What keeps failing in this worker for a reason other than a Redis outage, by what failed (such as "promote the
     * delayed tasks of queue 'emails'"), with since when, how many times and the last error; empty when nothing does.
     * Such a failure recurs until the data it reads is mended: the worker goes on with everything else meanwhile.
     */
    public Map<String, String> problems() {
        return problems.describe();
    }

    /**
     * The fatal error that halted this worker (state {@link State#FAILED}), with the thread that met it; null while it
     * met none.
     */
    public @Nullable String fatalError() {
        return fatalError;
    }

    /** Tasks given up at their hard time limit whose threads may still run (they ignored the interrupt). */
    public long abandonedTasks() {
        return processor.abandoned();
    }

    /**
     * How many tasks it may run at once now: {@link WorkerSettings#concurrency()} when that is fixed, else where its
     * adaptive concurrency stands, up to {@link WorkerSettings#maxConcurrency()}.
     */
    public int concurrency() {
        return concurrency.current();
    }

    /** Tasks running now (not the slots the fetcher holds while it waits for tasks). */
    public int activeTasks() {
        return running.size();
    }

    private static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (Exception ex) {
            String jvmName = ManagementFactory.getRuntimeMXBean().getName();
            return jvmName.contains("@") ? jvmName.substring(jvmName.indexOf('@') + 1) : "unknown";
        }
    }
}
