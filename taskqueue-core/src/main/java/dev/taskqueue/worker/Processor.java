package dev.taskqueue.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.TimeLimitExceededException;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.internal.CurrentTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs claimed tasks, each on its own thread from {@link TaskThreads}, each as one {@link Run} through these steps:
 * <ol>
 * <li>its lease is confirmed, if it was claimed before a gap in the worker's heartbeats ({@link LeaseCheck}): a
 * task taken over meanwhile is not started;</li>
 * <li>{@link Admission}: its message is read, its task found, its arguments bound; revoked, expired, unreadable or
 * poisoned tasks end here;</li>
 * <li>{@link Limits}: it takes its rate slot and concurrency permit, or goes back to Redis to wait for them
 * (freeing the worker's slot);</li>
 * <li>{@link Invocation}: the bean method runs through the interceptors, under its {@link TimeLimits};</li>
 * <li>{@link Endings}: the result or the error becomes the outcome, the event and the workflow's continuation;</li>
 * <li>{@link RunningTasks#end}: the outcome goes to the {@link Acker}, the slot is freed.</li>
 * </ol>
 * Failures of the task are the task's outcome, never the worker's: the worker carries on. Exactly one outcome per
 * run: from the task's thread, or from the hard time limit if that comes first; a chord member's, once Redis answered
 * its report ({@link WorkflowContinuation#afterSuccess}), from the thread that read the answer or a task thread.
 */
final class Processor {

    /**
     * The logger of every step of a run: users filter and configure the lines of their tasks' runs by this one
     * category, whichever step writes them.
     */
    static final Logger RUN_LOG = LoggerFactory.getLogger(Processor.class);

    private static final Logger log = RUN_LOG;

    private final WorkerContext worker;
    private final RunningTasks running;
    private final LeaseCheck leases;
    private final ExecutorService threads;
    private final ScheduledExecutorService timers;
    private final Admission admission;
    private final Limits limits;
    private final Invocation invocation;
    private final Endings endings;
    private final AdaptiveConcurrency concurrency;
    private final AtomicLong abandoned = new AtomicLong();

    /**
     * @param threads the threads tasks run on ({@link TaskThreads#forTasks})
     * @param concurrency told how long each run took
     */
    Processor(WorkerContext worker, TaskRuntime runtime, RunningTasks running, LeaseCheck leases,
            ExecutorService threads, AdaptiveConcurrency concurrency) {
        this.worker = worker;
        this.running = running;
        this.leases = leases;
        this.threads = threads;
        this.concurrency = concurrency;
        this.timers = TaskThreads.scheduler("taskqueue-timers-" + worker.workerId(), worker.fatal());
        RunEnvironment env = worker.runs(running);
        this.admission = new Admission(env, runtime);
        this.limits = new Limits(worker, runtime.codec());
        this.invocation = new Invocation(env, runtime, new TimeLimits(timers, this::hardLimitPassed));
        this.endings = new Endings(env, runtime, threads);
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

    private void run(Delivery delivery, long claimedAtNanos) {
        long began = System.nanoTime();
        if (!stillHeld(delivery, claimedAtNanos)) {
            running.notStarted();
            return;
        }
        Run run = running.start(delivery, worker.clock().millis());
        Outcome outcome;
        try {
            outcome = process(run);
        }
        catch (RuntimeException | Error ex) {
            if (FatalErrors.isFatal(ex)) {
                throw ex; // out of the thread, to FatalErrors: the worker halts, and the task runs again elsewhere
            }
            log.error("Unexpected error while running task [{}] from queue '{}'", delivery.taskId(),
                    delivery.queue(), ex);
            outcome = endings.engineError(run, ex);
        }
        finally {
            run.cancelTimers();
            CurrentTask.set(null);
            run.letGoOfThread(); // a pooled thread must not carry an interrupt to its next task
        }
        concurrency.finished(System.nanoTime() - began);
        CompletableFuture<@Nullable Outcome> later = run.outcomeLater;
        if (later == null) {
            running.end(run, outcome);
        }
        else { // its outcome waits for Redis's answer to its workflow's continuation: its thread goes on meanwhile
            later.thenAccept(ended -> running.end(run, ended)).exceptionally(failed -> {
                log.error("Unexpected error while ending the run of task [{}]", delivery.taskId(), failed);
                return null;
            });
        }
    }

    /** The run's outcome; null when it went back to Redis (to wait for its limits) or was handed back. */
    private @Nullable Outcome process(Run run) {
        Ending refused = admission.admit(run);
        if (refused != null) {
            return endings.of(run, refused);
        }
        if (!limits.pass(run)) {
            return null;
        }
        return endings.of(run, invocation.invoke(run));
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

    /** The task ran past its hard limit: give up on it (retry or fail), free its slot, report its thread. */
    private void hardLimitPassed(Run run, Duration limit) {
        if (!run.finished.compareAndSet(false, true)) {
            return; // it finished in the meantime
        }
        abandoned.incrementAndGet();
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : run.thread.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        String name = run.task().name();
        log.error("Task {} [{}] passed its hard time limit of {}; the worker gave up on it and freed its slot. Its "
                + "thread {} is stuck (interrupted, ignoring it), at:{}", name, run.delivery.taskId(), limit,
                run.thread.getName(), stack);
        run.interrupt();
        Invocation.Handled timedOut = Invocation.Handled.threw(new TimeLimitExceededException(name, limit),
                Duration.ofMillis(worker.clock().millis() - run.startedAt));
        Runnable giveUp = () -> running.handOver(run, endings.of(run, timedOut));
        try {
            // Off the timer thread, which fires every run's limits: the outcome may talk to Redis (a retry's rate
            // limit, a workflow's error links).
            threads.execute(giveUp);
        }
        catch (RejectedExecutionException stopping) {
            giveUp.run();
        }
    }

    /** Tasks abandoned at their hard time limit whose threads may still run. */
    long abandoned() {
        return abandoned.get();
    }

    /** Interrupts every task still running. */
    void interruptAll() {
        running.all().forEach(Run::interrupt);
    }

    /** Interrupts every task and timer at once (after a fatal error): their outcomes would not be recorded. */
    void halt() {
        timers.shutdownNow();
        threads.shutdownNow();
    }

    void shutdown(Duration wait) {
        halt();
        try {
            threads.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
