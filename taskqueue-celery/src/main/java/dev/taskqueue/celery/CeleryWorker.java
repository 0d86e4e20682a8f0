package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.worker.InlineWorker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * A Java worker on Celery queues: it takes Celery messages (sent by Python or Java) and runs them on the
 * application's {@code @Task} methods of the same name, through the worker's own steps (argument conversion,
 * interceptors, time limits, retries), then records them as a Python worker would:
 * <ol>
 * <li>take: one script pops up to the free slots' worth of messages and records each in kombu's {@code unacked};</li>
 * <li>read: a message that is not Celery JSON protocol 2 goes to the dead letters with the reason; a countdown or
 * ETA message not due yet is parked in Redis until it is (never held in memory past the visibility timeout);</li>
 * <li>run: a revoked or expired task is REVOKED; an unknown name fails as {@code NotRegistered}; keyword arguments
 * bind to parameters by name; otherwise the bean method runs;</li>
 * <li>finish: in one script, the result in Celery's backend, what follows in its workflow (callbacks, the chain's
 * next step, a retry, a completed chord's body) and the acknowledgement. At least once: a worker that dies before
 * that script has its messages restored ({@link CeleryRecovery}).</li>
 * </ol>
 */
final class CeleryWorker implements CeleryNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CeleryWorker.class);

    /** The longest pause between two looks at empty queues. */
    private static final long IDLE_POLL_MILLIS = 50;

    private final CeleryInterop.WorkerOptions settings;
    private final CeleryRedis redis;
    private final CeleryQueues queues;
    private final CeleryRecovery recovery;
    private final CeleryEndings endings;
    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final InlineTaskClient.Runner runner;
    private final Clock clock;
    private volatile CeleryWorkerEvents events = CeleryWorkerEvents.NONE;

    private final Semaphore slots;
    private final ExecutorService threads;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** The delivery tags taken and not yet recorded or given up: the beat keeps these held, and only these. */
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    private final Set<String> revoked = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 50_000; // Celery's own bound on remembered revocations
                }
            }));
    private final AtomicLong processed = new AtomicLong();
    private final Map<String, LongAdder> totals = new ConcurrentHashMap<>();
    private final CeleryRecorder recorder;
    private volatile boolean stopping;
    private @Nullable Thread fetcher;
    private @Nullable Thread keeper;
    private Instant startedAt = Instant.EPOCH;

    private record Running(CeleryMessage message, Thread thread, Instant startedAt) {
    }

    CeleryWorker(CeleryInterop.WorkerOptions settings, CeleryRedis redis, CeleryRoutes routes, TaskRegistry registry,
            MessageCodec codec, InlineTaskClient.Runner runner, String defaultQueue, Duration resultExpires,
            Clock clock) {
        this.settings = settings;
        this.redis = redis;
        this.queues = new CeleryQueues(redis, settings.nodename());
        this.recovery = new CeleryRecovery(redis);
        this.endings = new CeleryEndings(settings.nodename(), redis, queues, new CeleryFollowUps(routes, defaultQueue,
                clock), resultExpires.toSeconds(), clock);
        this.registry = registry;
        this.codec = codec;
        this.runner = runner;
        this.clock = clock;
        this.slots = new Semaphore(settings.concurrency());
        this.recorder = new CeleryRecorder(queues, resultExpires.toSeconds(), settings.nodename());
        this.threads = InlineWorker.taskThreads("taskqueue-celery-task-");
    }

    void events(CeleryWorkerEvents events) {
        this.events = events;
        endings.events(events);
    }

    /** Starts taking messages: its heartbeat first, so that nothing it takes looks abandoned. */
    synchronized void start() {
        startedAt = clock.instant();
        revoked.addAll(recovery.revoked());
        beat();
        recorder.start();
        keeper = daemon("taskqueue-celery-keeper", this::keep);
        fetcher = daemon("taskqueue-celery-fetcher", this::fetch);
        log.info("Celery worker {} consumes {} with {} slots", settings.nodename(), settings.queues(),
                settings.concurrency());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Stops: 1. no more takes; 2. tasks running get {@code timeout} to end and be recorded; 3. what is still held goes
     * back to the front of its lists (a task still running is interrupted; its run elsewhere wins).
     */
    void stop(Duration timeout) {
        stopping = true;
        join(fetcher, Duration.ofSeconds(5));
        try {
            if (slots.tryAcquire(settings.concurrency(), timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(settings.concurrency());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        recorder.stop(Duration.ofSeconds(5));
        threads.shutdownNow();
        join(keeper, Duration.ofSeconds(5));
        try {
            long restored = recovery.release(settings.nodename());
            if (restored > 0) {
                log.info("Celery worker {} handed back {} message(s) it had not finished", settings.nodename(),
                        restored);
            }
        }
        catch (RuntimeException ex) {
            log.warn("Celery worker {} could not hand back its messages; they come back when its liveness lapses "
                    + "({})", settings.nodename(), settings.liveness(), ex);
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    private static void join(@Nullable Thread thread, Duration timeout) {
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(timeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes messages while slots are free; sleeps a little longer each time the queues were empty. */
    private void fetch() {
        long idle = 1;
        boolean taking = true;
        while (!stopping) {
            try {
                if (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int free = 1 + slots.drainPermits();
                List<CeleryQueues.Taken> taken;
                try {
                    taken = queues.take(settings.queues(), free);
                }
                catch (RuntimeException ex) {
                    slots.release(free);
                    if (taking) { // once per outage: it tries again every second
                        log.warn("Celery worker {} could not take messages; trying again every second until Redis "
                                + "answers: {}", settings.nodename(), ex.getMessage());
                    }
                    taking = false;
                    Thread.sleep(1000);
                    continue;
                }
                if (!taking) {
                    log.info("Celery worker {} takes messages again", settings.nodename());
                    taking = true;
                }
                slots.release(free - taken.size());
                for (CeleryQueues.Taken message : taken) {
                    working.add(message.tag());
                    try {
                        threads.execute(() -> {
                            try {
                                handle(message);
                            }
                            finally {
                                working.remove(message.tag()); // held still if not recorded: the beat restores it
                                slots.release();
                            }
                        });
                    }
                    catch (RejectedExecutionException ex) { // stopping: the beat or the hand-back restores it
                        working.remove(message.tag());
                        slots.release();
                    }
                }
                if (taken.isEmpty()) {
                    Thread.sleep(idle);
                    idle = Math.min(idle * 2, IDLE_POLL_MILLIS);
                }
                else {
                    idle = 1;
                }
            }
            catch (InterruptedException ex) {
                if (stopping) {
                    return;
                }
            }
        }
    }

    /**
     * The heartbeat, the restore of dead Java workers' messages, parked messages due, and kombu's sweep: every half
     * visibility timeout, at least every minute (kombu's own runs about every 100 s).
     */
    private void keep() {
        long round = 0;
        boolean keeping = true;
        long beatingSince = -1; // since when this worker's beats have worked without a failure
        long sweepEvery = Math.max(1, Math.min(240, settings.visibilityTimeout().toMillis() / 2 / 250));
        while (!stopping) {
            try {
                recovery.promote(1000);
                if (round % 4 == 0) {
                    beat();
                    long now = System.currentTimeMillis();
                    beatingSince = beatingSince < 0 ? now : beatingSince;
                    // After an outage, the others need a liveness timeout to beat again: do not bury them before.
                    if (now - beatingSince >= settings.liveness().toMillis()) {
                        long restored = recovery.restoreDead();
                        if (restored > 0) {
                            log.warn("Restored {} Celery message(s) held by Java workers that stopped beating",
                                    restored);
                        }
                    }
                }
                if (round % sweepEvery == 0) {
                    long restored = recovery.sweep(settings.visibilityTimeout(), 1000);
                    if (restored > 0) {
                        log.warn("Restored {} Celery message(s) unacknowledged for longer than the visibility "
                                + "timeout ({})", restored, settings.visibilityTimeout());
                    }
                }
            }
            catch (RuntimeException ex) {
                beatingSince = -1;
                if (keeping) { // once per outage: it tries again every round
                    log.warn("Celery worker {} could not keep its messages alive; trying again until Redis answers: "
                            + "{}", settings.nodename(), ex.getMessage());
                }
                keeping = false;
                round++;
                pause(250);
                continue;
            }
            if (!keeping) {
                log.info("Celery worker {} keeps its messages alive again", settings.nodename());
                keeping = true;
            }
            round++;
            pause(250);
        }
    }

    /** Says this worker is alive; brings back what it holds but no longer works on. */
    private void beat() {
        long orphans = recovery.beat(settings.nodename(), settings.liveness(), List.copyOf(working));
        if (orphans > 0) {
            log.warn("Restored {} Celery message(s) this worker held but no longer works on (taken by an earlier run "
                    + "of {}, or by a run that failed before it was recorded)", orphans, settings.nodename());
        }
    }

    /** Sleeps, unless the worker stops meanwhile. */
    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            // stopping: the loop's condition ends it
        }
    }

    /** One message, from its envelope to its acknowledgement. */
    void handle(CeleryQueues.Taken taken) {
        CeleryMessage message;
        try {
            message = CeleryEnvelopes.read(taken.envelope(), taken.queue(), taken.tag());
        }
        catch (CeleryRefusal refusal) {
            endings.refuse(taken, refusal.getMessage());
            return;
        }
        try {
            Instant eta = message.eta();
            if (eta != null && eta.isAfter(clock.instant().plusMillis(20))) {
                queues.park(taken, eta.toEpochMilli());
                return;
            }
            events.received(message);
            CeleryQueues.Finish finish = new CeleryQueues.Finish(taken.tag());
            run(message, finish);
            processed.incrementAndGet();
            totals.computeIfAbsent(message.task(), name -> new LongAdder()).increment();
            recorder.record(message, finish).get(); // its slot is free once Redis has its end: memory stays bounded
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt(); // stopping: the delivery stays held, and is handed back
        }
        catch (ExecutionException | RuntimeException ex) {
            log.error("Celery worker {} could not run task {} [{}]; it stays held and comes back to its queue when "
                    + "this worker stops or its liveness lapses", settings.nodename(), message.task(), message.id(),
                    ex);
        }
    }

    /** Runs the task and says in {@code finish} what its end stores and sends. */
    private void run(CeleryMessage message, CeleryQueues.Finish finish) {
        if (isRevoked(message.id())) {
            endings.revoked(message, finish, false);
            return;
        }
        if (message.expires() != null && message.expires().isBefore(clock.instant())) {
            endings.revoked(message, finish, true);
            return;
        }
        TaskDefinition task = registry.find(message.task());
        if (task == null) {
            endings.unregistered(message, finish);
            return;
        }
        ArrayNode args;
        try {
            args = CeleryArguments.bind(task, message.args(), message.kwargs());
        }
        catch (IllegalArgumentException ex) {
            endings.failed(message, finish, CeleryMeta.exception("TypeError", "builtins", ex.getMessage()),
                    ex.getMessage(), null);
            return;
        }
        boolean storesResult = !message.ignoreResult() && !task.ignoreResult();
        if (settings.trackStarted() && storesResult) {
            endings.started(message);
        }
        events.started(message);
        Outcome outcome = invoke(message, task, args);
        switch (outcome.kind()) {
            case SUCCEEDED -> endings.succeeded(message, finish, storesResult, outcome);
            case RETRY -> endings.retry(message, finish, outcome);
            case REVOKED -> endings.revoked(message, finish, false);
            default -> {
                TaskError error = outcome.error() != null ? outcome.error()
                        : new TaskError("java.lang.IllegalStateException", "failed", null, false);
                endings.failed(message, finish, CeleryMeta.exception(error), error.summary(), error.stackTrace());
            }
        }
    }

    /** The bean method through the worker's steps, in this thread, seen by remote control while it runs. */
    private Outcome invoke(CeleryMessage message, TaskDefinition task, ArrayNode args) {
        Instant now = clock.instant();
        TaskPolicies policies = TaskPolicies.NONE.withTimeLimits(duration(message.softTimeLimit()),
                duration(message.hardTimeLimit()));
        TaskMessage taskMessage = new TaskMessage(message.id(), message.task(), message.queue(),
                9 - Math.max(0, Math.min(9, message.priority())), now.toEpochMilli(), null,
                message.expires() != null ? message.expires().toEpochMilli() : null, message.retries(), Map.of(),
                message.parentId(), message.rootId(), policies, null, false, null);
        List<JsonNode> values = new ArrayList<>(args.size());
        args.forEach(values::add);
        Delivery delivery = new Delivery(message.queue(), "celery", message.deliveryTag(), message.id(),
                codec.encodeBody(taskMessage, values), 0, false);
        running.put(message.id(), new Running(message, Thread.currentThread(), now));
        try {
            return runner.run(delivery);
        }
        finally {
            running.remove(message.id());
            Thread.interrupted(); // a terminating revoke was for the task, not for what records it
        }
    }

    private static @Nullable Duration duration(@Nullable Double seconds) {
        return seconds == null || seconds <= 0 ? null : Duration.ofMillis(Math.round(seconds * 1000));
    }

    // ----- what monitors and remote control see

    @Override
    public String nodename() {
        return settings.nodename();
    }

    @Override
    public List<String> queues() {
        return settings.queues();
    }

    @Override
    public int concurrency() {
        return settings.concurrency();
    }

    @Override
    public List<ActiveTask> active() {
        List<ActiveTask> active = new ArrayList<>();
        for (Running run : running.values()) {
            CeleryMessage message = run.message();
            active.add(new ActiveTask(message.id(), message.task(), message.args().toString(),
                    message.kwargs().toString(), message.queue(), run.startedAt(), message.deliveryTag(),
                    message.retries()));
        }
        return active;
    }

    @Override
    public long processed() {
        return processed.get();
    }

    @Override
    public Map<String, Long> totals() {
        Map<String, Long> counts = new LinkedHashMap<>();
        totals.forEach((name, count) -> counts.put(name, count.sum()));
        return counts;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public void revoke(String taskId, boolean terminate) {
        revoked.add(taskId);
        if (terminate) {
            // Under the map's lock: the run cannot end meanwhile, and its thread go on to another task.
            running.computeIfPresent(taskId, (id, run) -> {
                log.info("Task {} [{}] revoked with terminate: interrupting it", run.message().task(), id);
                run.thread().interrupt();
                return run;
            });
        }
    }

    @Override
    public boolean isRevoked(String taskId) {
        return revoked.contains(taskId);
    }
}
