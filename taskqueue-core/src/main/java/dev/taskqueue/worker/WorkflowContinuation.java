package dev.taskqueue.worker;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Starts what follows a task in its workflow before the task is acknowledged. If Redis cannot be reached, it tries
 * again until Redis answers, holding the task (its lease is extended by the heartbeat like any running task's):
 * handing the task back would run it again, an extra run that the outage alone would cost. The successors have
 * fixed ids, so starting them twice stores them once. Only a stopping worker (its thread interrupted) hands the
 * task back to run again elsewhere. Any other error would recur on every run (a chord whose state expired): the
 * task is acknowledged, and what follows it is lost, said in an error.
 */
final class WorkflowContinuation {

    private static final Logger log = Processor.RUN_LOG;

    private final RunEnvironment env;

    WorkflowContinuation(RunEnvironment env) {
        this.env = env;
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
