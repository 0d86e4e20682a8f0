package dev.taskqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.RetryPolicy;
import dev.taskqueue.RetryRequestedException;
import dev.taskqueue.SoftTimeLimitExceededException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TimeLimitExceededException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.Interceptors;
import dev.taskqueue.internal.JsonPreview;
import dev.taskqueue.internal.KeyExpression;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskInvoker;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.UnreadableWorkflowException;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Runs claimed tasks, each on its own thread from {@link TaskThreads}:
 * <ol>
 * <li>reads the message (one that cannot be read is quarantined in the dead letters) and finds the task (an
 * unknown name fails, kept in the dead letters for a worker that knows it);</li>
 * <li>drops it as REVOKED if it was revoked or expired before it started;</li>
 * <li>converts the JSON arguments to the method's parameter types (a mismatch fails, naming the parameter);</li>
 * <li>takes a start slot of its rate limit and a permit of its concurrency limit, or sends it back to Redis to
 * wait for them (freeing the worker's slot);</li>
 * <li>invokes the bean method through the interceptors, with {@link dev.taskqueue.TaskContext} and the logging
 * MDC set, under its time limits;</li>
 * <li>turns the result or the error into an outcome (a retry when the policy says so) for the {@link Acker}.</li>
 * </ol>
 * Failures of the task are the task's outcome, never the worker's: the worker carries on. Exactly one outcome per
 * run: from the task's thread, or from the hard time limit if that comes first.
 */
final class Processor {

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    private final String workerId;
    private final Broker broker;
    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final TaskInvoker invoker;
    private final WorkerSettings settings;
    private final Acker acker;
    private final Slots slots;
    private final RunningTasks running;
    private final TaskEventListener listener;
    private final List<TaskInterceptor> interceptors;
    private final Clock clock;
    private final TaskThreads.TaskExecutor threads;
    private final ScheduledExecutorService timers;
    final AtomicLong processed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong abandoned = new AtomicLong();
    private final java.util.Map<String, TaskPolicies> effectivePolicies = new java.util.concurrent.ConcurrentHashMap<>();
    private final WorkflowEngine workflows;
    private final LeaseCheck leases;

    Processor(String workerId, Broker broker, TaskRegistry registry, MessageCodec codec, WorkerSettings settings,
            Acker acker, Slots slots, RunningTasks running, TaskEventListener listener,
            List<TaskInterceptor> interceptors, WorkflowEngine workflows, LeaseCheck leases, Clock clock,
            FatalErrors fatal) {
        this.workflows = workflows;
        this.leases = leases;
        this.workerId = workerId;
        this.broker = broker;
        this.registry = registry;
        this.codec = codec;
        this.invoker = new TaskInvoker(codec);
        this.settings = settings;
        this.acker = acker;
        this.slots = slots;
        this.running = running;
        this.listener = listener;
        this.interceptors = List.copyOf(interceptors);
        this.clock = clock;
        this.threads = TaskThreads.create(settings.concurrency(), settings.virtualThreads(), "taskqueue-task-", fatal);
        this.timers = TaskThreads.scheduler("taskqueue-timers-" + workerId, fatal);
    }

    /**
     * Runs each delivery on a task thread. The caller holds one slot per delivery; the run gives it back.
     *
     * @param claimedAtNanos when they were claimed ({@link System#nanoTime()}): a task whose start is delayed past a
     *        gap in the worker's heartbeats has its lease confirmed first
     */
    void submit(List<Delivery> deliveries, long claimedAtNanos) {
        for (Delivery delivery : deliveries) {
            threads.execute(() -> run(delivery, claimedAtNanos));
        }
    }

    /**
     * Whether a delivery may still start: its thread may have started after a pause of the process, when another
     * worker may have taken it over. A lease that cannot be confirmed (Redis down) is not started either: the task
     * stays claimed until the visibility timeout or this worker's stop hands it back.
     */
    private boolean stillHeld(Delivery delivery, long claimedAtNanos) {
        try {
            return !leases.startable(List.of(delivery), claimedAtNanos).isEmpty();
        }
        catch (RuntimeException ex) {
            log.warn("Task [{}] from queue '{}' is not started: its lease cannot be confirmed after a gap in this "
                    + "worker's heartbeats ({})", delivery.taskId(), delivery.queue(), ex.getMessage());
            return false;
        }
    }

    /** A revocation announced by any instance: mark the run (and interrupt it, if asked). */
    void revoked(@Nullable String queue, String taskId, boolean interrupt) {
        for (RunningTasks.Running run : running.withTask(queue, taskId)) {
            RunContext context = run.context;
            if (context != null) {
                context.revoked = true;
            }
            if (interrupt) {
                log.info("Task [{}] was revoked while running: interrupting it", taskId);
                run.thread.interrupt();
            }
        }
    }

    private void run(Delivery delivery, long claimedAtNanos) {
        if (!stillHeld(delivery, claimedAtNanos)) {
            slots.give(1);
            return;
        }
        RunningTasks.Running run = running.add(delivery, clock.millis());
        Outcome outcome;
        try {
            outcome = process(delivery, run);
        }
        catch (RuntimeException | Error ex) {
            if (FatalErrors.isFatal(ex)) {
                throw ex; // out of the thread, to FatalErrors: the worker halts, and the task runs again elsewhere
            }
            // A bug in the engine, not in the task: fail the task visibly rather than lose it.
            log.error("Unexpected error while running task [{}] from queue '{}'", delivery.taskId(),
                    delivery.queue(), ex);
            outcome = Outcome.failed(delivery, null, true, resultTtl(), error(ex, false), 0,
                    text("worker error: " + ex));
        }
        finally {
            run.cancelTimers();
            CurrentTask.set(null);
            Thread.interrupted(); // a pooled thread must not carry a stale interrupt to the next task
        }
        finish(run, outcome);
    }

    /** Hands the outcome over and frees the slot, unless the hard time limit already did. */
    private void finish(RunningTasks.Running run, @Nullable Outcome outcome) {
        if (!run.finished.compareAndSet(false, true)) {
            log.warn("Task [{}] finished after its hard time limit; its outcome was discarded (the limit's stands)",
                    run.delivery.taskId());
            run.threadBack(); // its thread is back in the pool: the one lent in its place goes
            return;
        }
        handOver(run, outcome);
    }

    /** The run's one outcome goes to the acker, and its slot is freed. */
    private void handOver(RunningTasks.Running run, @Nullable Outcome outcome) {
        running.remove(run.delivery);
        if (outcome != null) { // null: the task went back to Redis to wait for a rate slot or a permit
            processed.incrementAndGet();
            if (outcome.kind() == Outcome.Kind.FAILED || outcome.kind() == Outcome.Kind.QUARANTINED) {
                failed.incrementAndGet();
            }
            acker.add(outcome);
        }
        slots.give(1);
    }

    private @Nullable Outcome process(Delivery delivery, RunningTasks.Running run) {
        if (delivery.malformed() != null) {
            return quarantine(delivery, delivery.malformed());
        }
        MessageCodec.Decoded decoded;
        try {
            decoded = codec.decode(delivery.taskId(), delivery.body());
        }
        catch (CorruptMessageException ex) {
            return quarantine(delivery, "corrupt message: " + ex.getMessage());
        }
        TaskMessage message = decoded.message();
        int attempt = message.attempt() + 1;
        TaskDefinition task = registry.find(message.task());
        if (task == null) {
            String reason = "no task named '" + message.task() + "' on this worker (" + workerId + ", which knows "
                    + registry.all().size() + " task(s)); deploy a worker that declares it, then requeue the dead letter";
            return fail(delivery, message, null, decoded.args(), attempt, Duration.ZERO,
                    Errors.ofReason("dev.taskqueue.UnknownTaskException", reason), reason, null);
        }
        listener.received(delivery.taskId(), task.name(), delivery.queue());
        String unreadable = workflows.unreadable(message); // what follows it could not start: it must not run
        if (unreadable != null) {
            return fail(delivery, message, task, decoded.args(), attempt, Duration.ZERO,
                    Errors.ofReason(UnreadableWorkflowException.class.getName(), unreadable), unreadable, null);
        }
        if (delivery.revoked()) {
            return revoke(delivery, message, task, decoded.args(), "revoked before it started", null);
        }
        if (message.expires() != null && clock.millis() > message.expires()) {
            return revoke(delivery, message, task, decoded.args(), "expired: it had not started by "
                    + Instant.ofEpochMilli(message.expires()), null);
        }
        if (delivery.deliveries() >= settings.maxDeliveries()) {
            // Taken back from its workers this often: running it again would likely kill this worker too.
            String reason = "delivered " + delivery.deliveries() + " times and its worker never finished it (died or "
                    + "hung each time): a poison pill? Requeue it once the cause is fixed";
            log.error("Task {} [{}] from queue '{}' sent to the dead letters without running it: {}", task.name(),
                    delivery.taskId(), delivery.queue(), reason);
            return fail(delivery, message, task, decoded.args(), attempt, Duration.ZERO,
                    Errors.ofReason("dev.taskqueue.WorkerLostException", reason), reason, null);
        }
        Object[] args;
        try {
            args = invoker.bind(task, decoded.args());
        }
        catch (IllegalArgumentException ex) {
            String reason = ex.getMessage() + "; not retried";
            return fail(delivery, message, task, decoded.args(), attempt, Duration.ZERO,
                    Errors.ofReason("dev.taskqueue.InvalidArgumentsException", reason), reason, null);
        }
        TaskPolicies policies = message.policies() == TaskPolicies.NONE ? declaredPolicies(task)
                : message.policies().orElse(declaredPolicies(task));
        if (!passesLimits(delivery, message, task, decoded.args(), policies, run)) {
            return null;
        }
        return invoke(delivery, message, task, args, decoded.args(), policies, run);
    }

    /** A message or entry that cannot be read goes, alone and as stored, to its queue's dead letters. */
    private Outcome quarantine(Delivery delivery, String why) {
        String reason = text(why); // it may quote the message: bounded like any stored text
        TaskError error = quarantined(listener, delivery.queue(), delivery.taskId(), reason);
        return Outcome.quarantined(delivery, resultTtl(), error, reason);
    }

    /**
     * Reports what a worker of this instance quarantined: an error in the log, and a {@code QUARANTINED} run for the
     * listener (its metrics and events). Returns the error the dead letter keeps.
     */
    static TaskError quarantined(TaskEventListener listener, String queue, String taskId, String reason) {
        log.error("Quarantined [{}] from queue '{}' in its dead letters: {}", taskId, queue, reason);
        TaskError error = Errors.ofReason(Outcome.QUARANTINE_ERROR, reason);
        listener.finished(new Execution(taskId, "unknown", queue, TaskEventListener.Outcome.QUARANTINED,
                Duration.ZERO, error));
        return error;
    }

    /**
     * Takes a rate-limit slot (unless the message already holds one) and a concurrency permit. A task that gets
     * either later goes back to Redis to wait; false then, and the worker's slot serves another task.
     */
    private boolean passesLimits(Delivery delivery, TaskMessage message, TaskDefinition task, ArrayNode args,
            TaskPolicies policies, RunningTasks.Running run) {
        if (policies.rateLimit() != null && !message.rateReserved()) {
            long startsAt = broker.takeRateSlot(delivery, task.name(), policies.rateLimit().intervalMicros(),
                    message.priority(), codec.encodeBody(message.withRateReserved(), list(args)));
            if (startsAt != 0) {
                log.debug("Task {} [{}] waits for its rate limit {} until {}", task.name(), delivery.taskId(),
                        policies.rateLimit(), startsAt > 0 ? Instant.ofEpochMilli(startsAt) : "(lease lost)");
                return false;
            }
        }
        TaskPolicies.ConcurrencyLimit concurrency = policies.concurrency();
        if (concurrency != null) {
            String key = KeyExpression.parse(concurrency.key().isEmpty() ? "*" : concurrency.key(),
                    task.parameterNames()).keyOf(task.name(), args::get);
            if (!broker.takePermit(delivery, key, concurrency.limit(), permitLeaseMillis(), message.priority(),
                    delivery.body())) {
                log.debug("Task {} [{}] waits for a permit of {} (limit {})", task.name(), delivery.taskId(), key,
                        concurrency.limit());
                return false;
            }
            run.permitKey = key;
        }
        return true;
    }

    private @Nullable Outcome invoke(Delivery delivery, TaskMessage message, TaskDefinition task, Object[] args,
            ArrayNode jsonArgs, TaskPolicies policies, RunningTasks.Running run) {
        int attempt = message.attempt() + 1;
        RunContext context = new RunContext(message, workerId, policies.softTimeLimit(), broker, resultTtl(), clock,
                timers, settings.maxTextSize());
        run.context = context;
        acker.started(new Broker.Started(delivery.queue(), delivery.taskId(), task.name(), attempt, resultTtl(),
                message.createdAt()), task.ignoreResult());
        long queuedSince = message.eta() != null ? Math.max(message.eta(), message.createdAt()) : message.createdAt();
        listener.started(delivery.taskId(), task.name(), delivery.queue(),
                Duration.ofMillis(Math.max(0, clock.millis() - queuedSince)));
        startTimers(run, message, task, jsonArgs, policies, context);
        long start = System.nanoTime();
        Object result;
        CurrentTask.set(context);
        MDC.put("taskId", delivery.taskId());
        MDC.put("taskName", task.name());
        try {
            result = Interceptors.around(interceptors, context, () -> invoker.invoke(task, args));
        }
        catch (Throwable thrown) {
            if (FatalErrors.isFatal(thrown)) {
                throw (Error) thrown; // not the task's failure: the worker's (a StackOverflowError is the task's)
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return failure(delivery, message, task, attempt, jsonArgs, policies, run, context, thrown, took);
        }
        finally {
            MDC.remove("taskId");
            MDC.remove("taskName");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String json = null;
        boolean keep = keepsRecord(task, message);
        if (keep) {
            try {
                json = codec.encodeResult(result, task.resultType());
            }
            catch (JacksonException ex) {
                String reason = "its result could not be written as JSON: " + ex.getOriginalMessage();
                return fail(delivery, message, task, jsonArgs, attempt, took, error(ex, false), reason, run);
            }
            String tooLarge = tooLarge(task, json);
            if (tooLarge != null) {
                return fail(delivery, message, task, jsonArgs, attempt, took,
                        Errors.ofReason("dev.taskqueue.ResultTooLargeException", tooLarge), tooLarge, run);
            }
        }
        listener.finished(new Execution(delivery.taskId(), task.name(), delivery.queue(),
                TaskEventListener.Outcome.SUCCESS, took, null));
        String resultJson = json;
        Outcome outcome = Outcome.succeeded(delivery, task.name(), keep, resultTtl(), json, attempt)
                .releasing(message.uniqueKey(), run.permitKey);
        return continueWorkflow(keep ? outcome.describing(preview(jsonArgs), message, took) : outcome, message,
                () -> workflows.succeeded(message, resultJson));
    }

    /** Whether the task's outcome is recorded: unless it ignores its result, and always in a workflow. */
    private static boolean keepsRecord(@Nullable TaskDefinition task, TaskMessage message) {
        return task == null || !task.ignoreResult() || message.workflow() != null;
    }

    /** The arguments as the record keeps them: JSON, shortened to about a kilobyte. */
    private static String preview(ArrayNode args) {
        String json = args.toString();
        return json.length() <= ARGUMENTS_PREVIEW ? json : JsonPreview.of(args, ARGUMENTS_PREVIEW).toString();
    }

    static final int ARGUMENTS_PREVIEW = 1024;

    /**
     * Starts what follows the task in its workflow before it is acknowledged. If Redis cannot be reached, it tries
     * again until Redis answers, holding the task (its lease is extended by the heartbeat like any running task's):
     * handing the task back would run it again, an extra run that the outage alone would cost. The successors have
     * fixed ids, so starting them twice stores them once. Only a stopping worker (its thread interrupted) hands the
     * task back to run again elsewhere. Any other error would recur on every run (a chord whose state expired): the
     * task is acknowledged, and what follows it is lost, said in an error.
     */
    private @Nullable Outcome continueWorkflow(Outcome outcome, TaskMessage message, Runnable continuation) {
        if (message.workflow() == null) {
            return outcome;
        }
        long waitMillis = Backoff.FIRST_MILLIS;
        for (int attempt = 1;; attempt++) {
            try {
                continuation.run();
                if (attempt > 1) {
                    log.info("Task {} [{}]: what follows it in its workflow is started, after {} attempt(s)",
                            message.task(), message.id(), attempt);
                }
                return outcome;
            }
            catch (RuntimeException ex) {
                if (!(ex instanceof BrokerUnavailableException)) {
                    log.error("Task {} [{}] ended, but what follows it in its workflow cannot be started; it is not "
                            + "run again: {}", message.task(), message.id(), ex.toString());
                    return outcome;
                }
                if (attempt == 1) {
                    // Its time limits are over: the handler returned. They must not interrupt the waiting.
                    running.withTask(outcome.delivery().queue(), message.id())
                            .forEach(RunningTasks.Running::cancelTimers);
                    log.warn("Task {} [{}] ended, but what follows it in its workflow could not be started ({}); "
                            + "trying again until Redis answers", message.task(), message.id(), ex.getMessage());
                }
                if (!pause(waitMillis)) {
                    return handBack(outcome, message);
                }
                waitMillis = Math.min(Backoff.MAX_MILLIS, waitMillis * 2);
            }
        }
    }

    /** Sleeps, unless the worker stops (interrupts the thread): then false. */
    private static boolean pause(long millis) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        try {
            Thread.sleep(millis);
            return true;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A stopping worker hands a task whose workflow could not go on back to its queue, to run again elsewhere. */
    private @Nullable Outcome handBack(Outcome outcome, TaskMessage message) {
        log.warn("Task {} [{}]: the worker stops before what follows it in its workflow could be started; it is "
                + "handed back to run again", message.task(), message.id());
        try {
            broker.release(workerId, List.of(outcome.delivery()));
        }
        catch (RuntimeException releaseFailed) {
            log.debug("Could not hand task [{}] back; its lease expires instead", message.id(), releaseFailed);
        }
        return null;
    }

    /** A handler's error: a retry if the policy (or the task itself) asks for one, else a failure. */
    private @Nullable Outcome failure(Delivery delivery, TaskMessage message, TaskDefinition task, int attempt,
            ArrayNode jsonArgs, TaskPolicies policies, RunningTasks.Running run, RunContext context, Throwable thrown,
            Duration took) {
        if (context.revoked && thrown instanceof InterruptedException) {
            return revoke(delivery, message, task, jsonArgs, "revoked while running", run.permitKey);
        }
        Throwable error = thrown;
        if (context.softLimitExceeded && thrown instanceof InterruptedException) {
            error = new SoftTimeLimitExceededException(task.name(), policies.softTimeLimit());
        }
        RetryPolicy retry = policies.retry();
        Duration delay = null;
        if (error instanceof RetryRequestedException requested) {
            int allowed = retry.maxRetriesOrNull() != null ? retry.maxRetries()
                    : RetryPolicy.DEFAULT_MAX_REQUESTED_RETRIES;
            if (attempt <= allowed) {
                delay = requested.getDelay();
            }
            error = requested.getCause();
        }
        else if (retry.retries(error, attempt)) {
            delay = retry.delayBefore(attempt, ThreadLocalRandom.current().nextDouble());
        }
        TaskError taskError = error(error, delay != null);
        if (delay != null) {
            log.info("Task {} [{}] attempt {} failed ({}); retrying in {} ms", task.name(), delivery.taskId(), attempt,
                    taskError.summary(), delay.toMillis());
            listener.finished(new Execution(delivery.taskId(), task.name(), delivery.queue(),
                    TaskEventListener.Outcome.RETRY, took, taskError));
            byte[] next = codec.encodeBody(message.nextAttempt(), list(jsonArgs));
            return Outcome.retry(delivery, task.name(), keepsRecord(task, message), resultTtl(), taskError, attempt,
                    new Outcome.Retry(next, message.priority(), delay.toMillis())).releasing(null, run.permitKey)
                    .describing(preview(jsonArgs), message, took);
        }
        log.warn("Task {} [{}] failed after {} attempt(s) in {} ms: {}", task.name(), delivery.taskId(), attempt,
                took.toMillis(), taskError.summary());
        String reason = "failed after " + attempt + " attempt(s): " + taskError.type(); // its message is beside it
        return fail(delivery, message, task, jsonArgs, attempt, took, taskError, reason, run);
    }

    /** Arms the soft limit (interrupt) and the hard limit (give up on the run). */
    private void startTimers(RunningTasks.Running run, TaskMessage message, TaskDefinition task, ArrayNode jsonArgs,
            TaskPolicies policies, RunContext context) {
        Duration soft = policies.softTimeLimit();
        if (soft != null) {
            run.softTimer = timers.schedule(() -> {
                if (!run.finished.get()) {
                    context.softLimitExceeded = true;
                    log.warn("Task {} [{}] passed its soft time limit of {}: interrupting it", task.name(),
                            run.delivery.taskId(), soft);
                    run.thread.interrupt();
                }
            }, soft.toMillis(), TimeUnit.MILLISECONDS);
        }
        Duration hard = policies.hardTimeLimit();
        if (hard != null) {
            run.hardTimer = timers.schedule(() -> hardLimitPassed(run, message, task, jsonArgs, policies, context,
                    hard), hard.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The task ran past its hard limit: give up on it (retry or fail), free its slot, report its thread. */
    private void hardLimitPassed(RunningTasks.Running run, TaskMessage message, TaskDefinition task,
            ArrayNode jsonArgs, TaskPolicies policies, RunContext context, Duration limit) {
        if (!run.finished.compareAndSet(false, true)) {
            return; // it finished in the meantime
        }
        abandoned.incrementAndGet();
        run.lent(threads.lend()); // the stuck thread keeps its pool thread: lend one for the next task
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : run.thread.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        log.error("Task {} [{}] passed its hard time limit of {}; the worker gave up on it and freed its slot. Its "
                + "thread {} is stuck (interrupted, ignoring it), at:{}", task.name(), run.delivery.taskId(), limit,
                run.thread.getName(), stack);
        run.thread.interrupt();
        Runnable giveUp = () -> handOver(run, failure(run.delivery, message, task, message.attempt() + 1, jsonArgs,
                policies, run, context, new TimeLimitExceededException(task.name(), limit),
                Duration.ofMillis(clock.millis() - run.startedAt)));
        try {
            // Off the timer thread, which fires every run's limits: the outcome may talk to Redis (a retry's rate
            // limit, a workflow's error links).
            threads.execute(giveUp);
        }
        catch (RejectedExecutionException stopping) {
            giveUp.run();
        }
    }

    private @Nullable Outcome revoke(Delivery delivery, TaskMessage message, TaskDefinition task, ArrayNode args,
            String reason, @Nullable String permitKey) {
        log.info("Task {} [{}] not run: {}", task.name(), delivery.taskId(), reason);
        listener.finished(new Execution(delivery.taskId(), task.name(), delivery.queue(),
                TaskEventListener.Outcome.REVOKED, Duration.ZERO, null));
        Outcome outcome = Outcome.revoked(delivery, task.name(), keepsRecord(task, message), resultTtl(), reason)
                .releasing(message.uniqueKey(), permitKey).describing(preview(args), message, null);
        return continueWorkflow(outcome, message, () -> workflows.failed(message, outcome.error(), true));
    }

    private @Nullable Outcome fail(Delivery delivery, TaskMessage message, @Nullable TaskDefinition task,
            ArrayNode args, int attempt, Duration took, TaskError unbounded, String unboundedReason,
            RunningTasks.@Nullable Running run) {
        TaskError error = Errors.cut(unbounded, settings.maxTextSize(), settings.maxStackTraceSize());
        String reason = text(unboundedReason);
        String name = task != null ? task.name() : text(message.task()); // an unknown one is anything a producer sent
        if (task == null) {
            log.error("Task {} [{}] from queue '{}' cannot run: {}", name, delivery.taskId(), delivery.queue(),
                    reason);
        }
        listener.finished(new Execution(delivery.taskId(), name, delivery.queue(),
                TaskEventListener.Outcome.FAILURE, took, error));
        Outcome outcome = Outcome.failed(delivery, name, keepsRecord(task, message), resultTtl(), error,
                attempt, reason).releasing(message.uniqueKey(), run == null ? null : run.permitKey)
                .describing(preview(args), message, run == null ? null : took);
        return continueWorkflow(outcome, message, () -> workflows.failed(message, error, false));
    }

    /** A task's declared policies over the worker's defaults, merged once per task. */
    private TaskPolicies declaredPolicies(TaskDefinition task) {
        return effectivePolicies.computeIfAbsent(task.name(), name -> task.policies().orElse(
                settings.defaultPolicies()));
    }

    private long resultTtl() {
        return settings.resultTtl().toMillis();
    }

    /** The error as stored: its message and stack trace cut to the settings' bounds. */
    private TaskError error(Throwable thrown, boolean retryable) {
        return Errors.toTaskError(thrown, retryable, settings.maxTextSize(), settings.maxStackTraceSize());
    }

    /** A text from the task or about it (a reason, a name from its message) as stored: cut to the settings' bound. */
    private String text(String text) {
        return StoredText.cut(text, settings.maxTextSize());
    }

    /** Why a result cannot be kept, or null when it fits {@code taskqueue.max-result-size}. */
    private @Nullable String tooLarge(TaskDefinition task, @Nullable String json) {
        int size = json == null || json.length() <= settings.maxResultSize() / 3 ? 0 : StoredText.utf8Length(json);
        if (size <= settings.maxResultSize()) {
            return null;
        }
        return "Task " + task.name() + " returned " + size + " bytes of JSON, more than taskqueue.max-result-size ("
                + settings.maxResultSize() + " bytes): its result is not kept, and the task is not retried. Return "
                + "a reference to the data (an id, an object-store key) instead, or raise the limit";
    }

    /** How long a concurrency permit holds without the heartbeat extending it: a dead worker's comes back then. */
    long permitLeaseMillis() {
        return settings.livenessTimeout().multipliedBy(3).toMillis();
    }

    private static List<JsonNode> list(ArrayNode args) {
        List<JsonNode> list = new ArrayList<>(args.size());
        args.forEach(list::add);
        return list;
    }

    /** Tasks abandoned at their hard time limit whose threads may still run. */
    long abandoned() {
        return abandoned.get();
    }

    /** Interrupts every task still running. */
    void interruptAll() {
        running.all().forEach(r -> r.thread.interrupt());
    }

    /** Interrupts every task and timer at once (after a fatal error): their outcomes would not be recorded. */
    void halt() {
        timers.shutdownNow();
        threads.shutdownNow();
    }

    void shutdown(Duration wait) {
        halt();
        try {
            threads.awaitTermination(wait.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
