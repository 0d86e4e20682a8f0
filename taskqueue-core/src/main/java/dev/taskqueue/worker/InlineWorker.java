package dev.taskqueue.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TimeLimitExceededException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.InlineTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The inline mode's worker: runs one attempt of a task in the thread that submitted it, through a worker's own steps,
 * so that it is checked, bound, intercepted, limited, judged, logged and heard of as on a worker:
 * <ol>
 * <li>{@link Admission}: its message is read, its task found, its arguments bound; a task past its expiry is REVOKED
 * without running;</li>
 * <li>{@link Invocation}: the bean method runs through the interceptors, with the task in the MDC, under its
 * {@link TimeLimits};</li>
 * <li>{@link Endings}: the result or the error (judged by {@link Retries}) becomes the outcome, the event and the
 * start of what follows it in its workflow.</li>
 * </ol>
 * What needs Redis is left out: no lease to confirm or extend, no rate slot or concurrency permit ({@link Limits}), no
 * heartbeat; nothing reads a record while its task runs (its caller runs it), so neither the STARTED notice nor
 * progress is kept. The outcome goes back to the {@link InlineTaskClient}, which keeps it and runs a retry at once.
 *
 * <p>Time limits: the soft limit interrupts the task, as on a worker. The hard limit interrupts it too, but the thread
 * is its caller's and cannot be given up: the caller waits until the task returns, then gets its failure
 * ({@link TimeLimitExceededException}, retried if its policy says so). No interrupt of a limit outlives the run.
 */
public final class InlineWorker implements InlineTaskClient.Runner {

    private static final Logger log = Processor.RUN_LOG;

    /** Nothing reads a record while its inline task runs: the thread that would read it is running it. */
    private static final RunStore KEEPS_NOTHING = new RunStore() {

        @Override
        public void started(Run run, Broker.Started notice) {
        }

        @Override
        public void progress(String queue, String taskId, double fraction, @Nullable String message,
                long recordTtlMillis) {
        }

        @Override
        public void release(Run run) {
            throw new IllegalStateException("An inline run is never handed back: no worker stops under it");
        }
    };

    private final Clock clock;
    private final Admission admission;
    private final Invocation invocation;
    private final Endings endings;

    private InlineWorker(TaskRuntime runtime, WorkerSettings settings, TaskEventListener listener, Clock clock) {
        this.clock = clock;
        RunEnvironment env = new RunEnvironment(InlineTaskClient.WORKER_ID, settings, listener, clock, KEEPS_NOTHING);
        ScheduledThreadPoolExecutor timers = TaskThreads.scheduler("taskqueue-inline-timers",
                (thread, error) -> log.error("A time limit of an inline task failed", error));
        timers.setKeepAliveTime(1, TimeUnit.SECONDS); // no thread is left behind by a test that is over
        timers.allowCoreThreadTimeOut(true);
        this.admission = new Admission(env, runtime);
        this.invocation = new Invocation(env, runtime, new TimeLimits(timers, InlineWorker::hardLimitPassed));
        this.endings = new Endings(env, runtime, null); // its caller waits for the outcome
    }

    /**
     * An inline client whose tasks run here: those of {@code registry}, with the policies, bounds and interceptors a
     * worker with {@code settings} would apply ({@code settings}' queues, concurrency and Redis timings do not matter).
     */
    public static InlineTaskClient client(TaskRegistry registry, MessageCodec codec, ClientSettings clientSettings,
            WorkerSettings settings, TaskEventListener listener, List<TaskInterceptor> interceptors, Clock clock) {
        return new InlineTaskClient(registry, codec, clientSettings, listener, interceptors, clock,
                workflows -> new InlineWorker(new TaskRuntime(registry, codec, interceptors, workflows), settings,
                        listener, clock));
    }

    /**
     * Runs single deliveries in the calling thread through the worker's steps, for a transport that fetches and records
     * its tasks itself (Celery's protocol): the caller gives each run a thread of its own, and its time limits
     * interrupt that thread. Steps a task submits go through {@code workflows}.
     */
    public static InlineTaskClient.Runner runner(TaskRegistry registry, MessageCodec codec, WorkerSettings settings,
            TaskEventListener listener, List<TaskInterceptor> interceptors, WorkflowEngine workflows, Clock clock) {
        return new InlineWorker(new TaskRuntime(registry, codec, interceptors, workflows), settings, listener, clock);
    }

    /**
     * The threads a transport gives the {@link #runner runs}: a virtual thread per task on Java 21+, else daemon
     * platform threads started on demand (the transport's slots bound how many run at once). An error that escapes a
     * run is logged.
     */
    public static ExecutorService taskThreads(String namePrefix) {
        return TaskThreads.forTasks(true, namePrefix,
                (thread, error) -> log.error("A task thread of {} ended with an error", namePrefix, error));
    }

    @Override
    public Outcome run(Delivery delivery) {
        Run run = new Run(delivery, Thread.currentThread(), clock.millis());
        try {
            Ending refused = admission.admit(run);
            Outcome outcome = refused != null ? endings.of(run, refused) : endings.of(run, handled(run));
            if (outcome == null) {
                throw new IllegalStateException("Task [" + delivery.taskId() + "] has no outcome");
            }
            return outcome;
        }
        finally {
            run.cancelTimers();
            CurrentTask.set(null);
        }
    }

    /** What the handler did; once past its hard time limit, whatever that was, the failure of the limit. */
    private Invocation.Handled handled(Run run) {
        Invocation.Handled handled = invocation.invoke(run);
        boolean passedHardLimit;
        synchronized (run) { // a limit interrupts the thread under this lock, and only until the run finished
            passedHardLimit = !run.finished.compareAndSet(false, true);
        }
        RunContext context = run.context;
        if (passedHardLimit || context != null && context.softLimitExceeded) {
            Thread.interrupted(); // the limit's interrupt was for the task, not for its caller
        }
        if (!passedHardLimit) {
            return handled;
        }
        return Invocation.Handled.threw(new TimeLimitExceededException(run.task().name(),
                Objects.requireNonNull(run.policies().hardTimeLimit())), handled.took());
    }

    /** The hard limit: the run is over, and its thread is told so; the caller's thread cannot be given up. */
    private static void hardLimitPassed(Run run, Duration limit) {
        synchronized (run) {
            if (run.finished.compareAndSet(false, true)) {
                log.warn("Task {} [{}] passed its hard time limit of {}: interrupting it. It runs in its caller's "
                        + "thread, which cannot be given up: it waits for the task to return, then fails it", run.task().name(),
                        run.delivery.taskId(), limit);
                run.interrupt();
            }
        }
    }
}
