package dev.taskqueue.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.RetryRequestedException;
import dev.taskqueue.SoftTimeLimitExceededException;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.internal.TaskDefinition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Judges a handler's error:
 * <ol>
 * <li>an interruption of a revoked run: REVOKED;</li>
 * <li>an interruption at the soft time limit: a {@link SoftTimeLimitExceededException};</li>
 * <li>a retry the task asked for ({@link RetryRequestedException}), within its policy's retries (or
 * {@link RetryPolicy#DEFAULT_MAX_REQUESTED_RETRIES}), with the delay it asked for;</li>
 * <li>a retry its {@link RetryPolicy} allows for this error and attempt, after the policy's backoff;</li>
 * <li>else a failure, for good.</li>
 * </ol>
 */
final class Retries {

    private static final Logger log = Processor.RUN_LOG;

    private final RunEnvironment env;

    Retries(RunEnvironment env) {
        this.env = env;
    }

    Ending afterError(Run run, Throwable thrown, Duration took) {
        RunContext context = run.context;
        boolean interrupted = thrown instanceof InterruptedException && context != null;
        if (interrupted && run.revoked) {
            return Ending.revoked("revoked while running");
        }
        TaskDefinition task = run.task();
        TaskPolicies policies = run.policies();
        int attempt = run.attempt();
        Throwable error = thrown;
        if (interrupted && context.softLimitExceeded) {
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
        return judged(run, error, delay, took);
    }

    private Ending judged(Run run, @Nullable Throwable error, @Nullable Duration delay, Duration took) {
        TaskError taskError = env.stored(error, delay != null);
        String name = run.task().name();
        String taskId = run.delivery.taskId();
        if (delay != null) {
            log.info("Task {} [{}] attempt {} failed ({}); retrying in {} ms", name, taskId, run.attempt(),
                    taskError.summary(), delay.toMillis());
            return Ending.retry(taskError, delay, took);
        }
        log.warn("Task {} [{}] failed after {} attempt(s) in {} ms: {}", name, taskId, run.attempt(),
                took.toMillis(), taskError.summary());
        String reason = "failed after " + run.attempt() + " attempt(s): " + taskError.type(); // its message is beside it
        return Ending.failed(taskError, reason, took);
    }
}
