package dev.taskqueue.worker;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.CurrentTask;
import dev.taskqueue.internal.Interceptors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Starts what follows a task in its workflow before the task is acknowledged. If Redis cannot be reached, it tries
 * again until Redis answers, holding the task (its lease is extended by the heartbeat like any running task's):
 * handing the task back would run it again, an extra run that the outage alone would cost. The successors have
 * fixed ids, so starting them twice stores them once. Only a stopping worker (its thread interrupted) hands the
 * task back to run again elsewhere. Any other error would recur on every run (a chord whose state expired): the
 * task is acknowledged, and what follows it is lost, said in an error.
 * <p>
 * A chord member's report is sent without waiting for the answer ({@link #afterAnswer}): its thread runs the next
 * task meanwhile, and the run ends (its outcome to the acker, its slot freed) once Redis recorded the report. Waiting
 * cost a member more than its handler: a park and a wake-up of its thread, and often another thread woken to run
 * the next task (the chord of 50,000: about half of the task threads' CPU in the kernel's scheduler).
 */
final class WorkflowContinuation {

    private static final Logger log = Processor.RUN_LOG;

    private final RunEnvironment env;
    private final @Nullable Executor taskThreads;
    private final List<TaskInterceptor> interceptors;

    /**
     * @param taskThreads where what a late answer asks for runs (the body of a chord that a report completed); null:
     *        a run's thread always waits for the answer
     * @param interceptors those that decorate what runs there ({@link TaskInterceptor#decorateContinuation})
     */
    WorkflowContinuation(RunEnvironment env, @Nullable Executor taskThreads, List<TaskInterceptor> interceptors) {
        this.env = env;
        this.taskThreads = taskThreads;
        this.interceptors = interceptors;
    }

    /**
     * A success's outcome, once what follows it started ({@link #after}); or, where it can be sent without waiting
     * ({@code sendLater} sends it and gives the answer to come; null: it cannot) and this worker's threads need not
     * wait, at once, the run ending later ({@link #afterAnswer}).
     */
    @Nullable Outcome afterSuccess(Run run, Outcome outcome,
            Supplier<@Nullable CompletableFuture<@Nullable Runnable>> sendLater, Runnable startWhatFollows) {
        CompletableFuture<@Nullable Runnable> answer = taskThreads == null ? null : sendLater.get();
        return answer != null ? afterAnswer(run, outcome, answer, startWhatFollows)
                : after(run, outcome, startWhatFollows);
    }

    /**
     * For a run whose continuation was sent without waiting ({@code answer}: what is left to do once Redis recorded
     * it, or nothing): the run's outcome waits in {@link Run#outcomeLater} until then, and {@code outcome} is returned
     * for its thread to go on. What is left (a chord's body to start) runs on a task thread, in the run's context
     * (its trace, for the steps it starts); an answer that failed runs {@code again}, the continuation that waits, there
     * too, through {@link #after}: tried until Redis answers, as any continuation. A worker that stops before that
     * thread starts hands the task back (its stop hands back every task it still holds).
     */
    private Outcome afterAnswer(Run run, Outcome outcome, CompletableFuture<@Nullable Runnable> answer, Runnable again) {
        CompletableFuture<@Nullable Outcome> ended = new CompletableFuture<>();
        // What runs on a task thread is chosen by the answer, but decorated here, on the run's own thread, where the
        // interceptors find what they keep for the run
        CompletableFuture<Runnable> chosen = new CompletableFuture<>();
        Runnable startWhatFollows = () -> ended.complete(afterOnTaskThread(run, outcome, chosen.join()));
        Runnable decorated = decorated(run, startWhatFollows);
        answer.whenComplete((rest, failed) -> {
            if (failed == null && rest == null) {
                ended.complete(outcome); // the common case: on the thread that read the answer, no hand-off
                return;
            }
            chosen.complete(failed == null ? rest : again);
            try {
                Objects.requireNonNull(taskThreads, "a run's thread waits for its answers")
                        .execute(() -> continueThere(run, decorated, startWhatFollows, ended));
            }
            catch (RuntimeException notStarted) { // the worker stops (or no thread could start): handed back
                log.debug("Task [{}]: what follows it in its workflow could not start on a task thread ({}); the "
                        + "worker's stop hands it back", run.delivery.taskId(), notStarted.toString());
                ended.complete(null);
            }
        });
        run.outcomeLater = ended;
        return outcome;
    }

    /** {@code continuation} as the interceptors decorate it; an interceptor that fails is left out, said in an error. */
    private Runnable decorated(Run run, Runnable continuation) {
        try {
            return Interceptors.decorateContinuation(interceptors, Objects.requireNonNull(run.context),
                    continuation);
        }
        catch (RuntimeException ex) {
            log.error("An interceptor failed to decorate what follows task [{}] in its workflow; it runs without them",
                    run.delivery.taskId(), ex);
            return continuation;
        }
    }

    /**
     * On a task thread, with the run's task as the current one ({@link CurrentTask}): the decorated continuation, and
     * the undecorated one if an interceptor did not run it (it failed first): the run ends once what follows it
     * started, never before. Only a fatal error leaves the thread (the worker halts; the run is not ended).
     */
    private static void continueThere(Run run, Runnable decorated, Runnable startWhatFollows,
            CompletableFuture<@Nullable Outcome> ended) {
        CurrentTask.set(run.context);
        try {
            try {
                decorated.run();
            }
            catch (RuntimeException | Error ex) {
                if (FatalErrors.isFatal(ex)) {
                    throw ex;
                }
                log.error("An interceptor failed around what follows task [{}] in its workflow",
                        run.delivery.taskId(), ex);
            }
            if (!ended.isDone()) {
                startWhatFollows.run();
            }
        }
        finally {
            CurrentTask.set(null);
        }
    }

    /**
     * {@link #after} on a task thread ({@link #continueThere}, which makes the run's task current). An unexpected
     * error leaves the outcome as it is, as on the run's own thread ({@link Processor}); a fatal one leaves the thread.
     */
    private @Nullable Outcome afterOnTaskThread(Run run, Outcome outcome, Runnable continuation) {
        try {
            return after(run, outcome, continuation);
        }
        catch (RuntimeException | Error ex) {
            if (FatalErrors.isFatal(ex)) {
                throw ex;
            }
            log.error("Unexpected error while starting what follows task [{}] in its workflow", run.delivery.taskId(),
                    ex);
            return outcome;
        }
    }

    /**
     * The run's outcome, once {@code continuation} started what follows it; null if the worker stopped first (the
     * task was handed back).
     */
    @Nullable Outcome after(Run run, Outcome outcome, Runnable continuation) {
        TaskMessage message = run.message();
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
                    run.cancelTimers(); // its time limits are over: the handler returned; they must not interrupt this
                    log.warn("Task {} [{}] ended, but what follows it in its workflow could not be started ({}); "
                            + "trying again until Redis answers", message.task(), message.id(), ex.getMessage());
                }
                if (!pause(waitMillis)) {
                    return handBack(run, message);
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
    private @Nullable Outcome handBack(Run run, TaskMessage message) {
        log.warn("Task {} [{}]: the worker stops before what follows it in its workflow could be started; it is "
                + "handed back to run again", message.task(), message.id());
        try {
            env.store().release(run);
        }
        catch (RuntimeException releaseFailed) {
            log.debug("Could not hand task [{}] back; its lease expires instead", message.id(), releaseFailed);
        }
        return null;
    }
}
