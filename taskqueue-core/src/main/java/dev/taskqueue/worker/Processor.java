package dev.taskqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskInvoker;
import dev.taskqueue.internal.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.core.JacksonException;
import org.jspecify.annotations.Nullable;

/**
 * Runs claimed tasks, each on its own thread from {@link TaskThreads}:
 * <ol>
 * <li>reads the message (one that cannot be read is quarantined in the dead letters);</li>
 * <li>finds the task (an unknown name fails, kept in the dead letters for a worker that knows it);</li>
 * <li>converts the JSON arguments to the method's parameter types (a mismatch fails, naming the parameter);</li>
 * <li>invokes the bean method, with the task's id and name in the logging MDC;</li>
 * <li>hands the outcome to the {@link Acker} and frees the slot.</li>
 * </ol>
 * Failures of the task itself are the task's outcome, never the worker's: the worker carries on.
 */
final class Processor {

    private static final Logger log = LoggerFactory.getLogger(Processor.class);

    private final String workerId;
    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final TaskInvoker invoker;
    private final WorkerSettings settings;
    private final Acker acker;
    private final Slots slots;
    private final RunningTasks running;
    private final TaskEventListener listener;
    private final Clock clock;
    private final ExecutorService threads;
    final AtomicLong processed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    Processor(String workerId, TaskRegistry registry, MessageCodec codec, WorkerSettings settings, Acker acker,
            Slots slots, RunningTasks running, TaskEventListener listener, Clock clock) {
        this.workerId = workerId;
        this.registry = registry;
        this.codec = codec;
        this.invoker = new TaskInvoker(codec);
        this.settings = settings;
        this.acker = acker;
        this.slots = slots;
        this.running = running;
        this.listener = listener;
        this.clock = clock;
        this.threads = TaskThreads.create(settings.concurrency(), settings.virtualThreads(), "taskqueue-task-");
    }

    /** Runs each delivery on a task thread. The caller holds one slot per delivery; the run gives it back. */
    void submit(List<Delivery> deliveries) {
        for (Delivery delivery : deliveries) {
            threads.execute(() -> run(delivery));
        }
    }

    private void run(Delivery delivery) {
        RunningTasks.Running entry = running.add(delivery, clock.millis());
        Outcome outcome;
        try {
            outcome = process(delivery);
        }
        catch (RuntimeException | Error ex) {
            // A bug in the engine, not in the task: fail the task visibly rather than lose it.
            log.error("Unexpected error while running task [{}] from queue '{}'", delivery.taskId(),
                    delivery.queue(), ex);
            outcome = Outcome.failed(delivery, null, true, resultTtl(), Errors.toTaskError(ex, false), 0,
                    "worker error: " + ex);
        }
        finally {
            running.remove(delivery);
            if (entry.thread == Thread.currentThread()) {
                Thread.interrupted(); // a pooled thread must not carry a stale interrupt to the next task
            }
        }
        processed.incrementAndGet();
        if (outcome.kind() == Outcome.Kind.FAILED || outcome.kind() == Outcome.Kind.QUARANTINED) {
            failed.incrementAndGet();
        }
        acker.add(outcome);
        slots.give(1);
    }

    private Outcome process(Delivery delivery) {
        MessageCodec.Decoded decoded;
        try {
            decoded = codec.decode(delivery.taskId(), delivery.body());
        }
        catch (CorruptMessageException ex) {
            String reason = "corrupt message: " + ex.getMessage();
            log.error("Quarantined message [{}] from queue '{}' in its dead letters: {}", delivery.taskId(),
                    delivery.queue(), reason);
            listener.finished(new Execution(delivery.taskId(), "unknown", delivery.queue(),
                    TaskEventListener.Outcome.QUARANTINED, Duration.ZERO, null));
            return Outcome.quarantined(delivery, resultTtl(),
                    Errors.ofReason("dev.taskqueue.CorruptMessageException", reason), reason);
        }
        TaskMessage message = decoded.message();
        int attempt = message.attempt() + 1;
        TaskDefinition task = registry.find(message.task());
        if (task == null) {
            String reason = "no task named '" + message.task() + "' on this worker (" + workerId + ", which knows "
                    + registry.all().size() + " task(s)); deploy a worker that declares it, then requeue the dead letter";
            return fail(delivery, message, null, attempt, Duration.ZERO,
                    Errors.ofReason("dev.taskqueue.UnknownTaskException", reason), reason);
        }
        if (message.expires() != null && clock.millis() > message.expires()) {
            String reason = "expired: it had not started by " + Instant.ofEpochMilli(message.expires());
            log.info("Task {} [{}] not run: {}", task.name(), delivery.taskId(), reason);
            listener.finished(new Execution(delivery.taskId(), task.name(), delivery.queue(),
                    TaskEventListener.Outcome.REVOKED, Duration.ZERO, null));
            return Outcome.revoked(delivery, task.name(), !task.ignoreResult(), resultTtl(), reason);
        }
        Object[] args;
        try {
            args = invoker.bind(task, decoded.args());
        }
        catch (IllegalArgumentException ex) {
            String reason = ex.getMessage() + "; not retried";
            return fail(delivery, message, task, attempt, Duration.ZERO,
                    Errors.ofReason("dev.taskqueue.InvalidArgumentsException", reason), reason);
        }
        acker.started(new Broker.Started(delivery.queue(), delivery.taskId(), task.name(), attempt, resultTtl()),
                task.ignoreResult());
        long start = System.nanoTime();
        long queuedSince = message.eta() != null ? Math.max(message.eta(), message.createdAt()) : message.createdAt();
        listener.started(delivery.taskId(), task.name(), delivery.queue(),
                Duration.ofMillis(Math.max(0, clock.millis() - queuedSince)));
        Object result;
        MDC.put("taskId", delivery.taskId());
        MDC.put("taskName", task.name());
        try {
            result = invoker.invoke(task, args);
        }
        catch (Throwable cause) {
            if (cause instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            log.warn("Task {} [{}] failed after {} ms: {}", task.name(), delivery.taskId(), took.toMillis(),
                    cause.toString());
            TaskError error = Errors.toTaskError(cause, true);
            return fail(delivery, message, task, attempt, took, error, error.summary());
        }
        finally {
            MDC.remove("taskId");
            MDC.remove("taskName");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String json = null;
        if (!task.ignoreResult()) {
            try {
                json = codec.encodeResult(result, task.resultType());
            }
            catch (JacksonException ex) {
                String reason = "its result could not be written as JSON: " + ex.getOriginalMessage();
                return fail(delivery, message, task, attempt, took, Errors.toTaskError(ex, false), reason);
            }
        }
        listener.finished(new Execution(delivery.taskId(), task.name(), delivery.queue(),
                TaskEventListener.Outcome.SUCCESS, took, null));
        return Outcome.succeeded(delivery, task.name(), !task.ignoreResult(), resultTtl(), json, attempt);
    }

    private Outcome fail(Delivery delivery, TaskMessage message, @Nullable TaskDefinition task, int attempt, Duration took,
            TaskError error, String reason) {
        if (task == null) {
            log.error("Task {} [{}] from queue '{}' cannot run: {}", message.task(), delivery.taskId(),
                    delivery.queue(), reason);
        }
        listener.finished(new Execution(delivery.taskId(), message.task(), delivery.queue(),
                TaskEventListener.Outcome.FAILURE, took, error));
        return Outcome.failed(delivery, message.task(), task == null || !task.ignoreResult(), resultTtl(), error,
                attempt, reason);
    }

    private long resultTtl() {
        return settings.resultTtl().toMillis();
    }

    /** Interrupts every task still running. */
    void interruptAll() {
        running.all().forEach(r -> r.thread.interrupt());
    }

    void shutdown(Duration wait) {
        threads.shutdownNow();
        try {
            threads.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
