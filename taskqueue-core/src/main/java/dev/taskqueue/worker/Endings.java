package dev.taskqueue.worker;

import java.time.Duration;
import java.util.concurrent.Executor;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.internal.ContextJson;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.workflow.StepWorkflow;
import dev.taskqueue.workflow.WorkflowEngine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import tools.jackson.core.JacksonException;

/**
 * The one place where a run's end becomes what the rest of the system sees:
 * <ol>
 * <li>what the handler returned becomes its result as JSON (one that cannot be written, or is larger than
 * {@code taskqueue.max-result-size}, fails the task); what it threw is judged by {@link Retries};</li>
 * <li>every {@link Ending}, from there or from {@link Admission}, becomes, in this order: the log line, the
 * {@linkplain TaskEventListener#finished event} (metrics, observations), the {@link Outcome} for the
 * {@link Acker} (its record, its dead letter or next attempt, the keys it releases), and the start of what follows it
 * in its workflow ({@link WorkflowContinuation}: successors after a success, error links after a failure or a
 * revocation; a retry waits for its next attempt).</li>
 * </ol>
 * Texts and errors are cut to the stored bounds here, whoever found them.
 */
final class Endings {

    private static final Logger log = Processor.RUN_LOG;

    private final RunEnvironment env;
    private final TaskRuntime runtime;
    private final Retries retries;
    private final WorkflowContinuation continuation;

    /**
     * @param taskThreads where what follows a run in its workflow runs when its run's thread did not wait for it; null:
     *        its thread always waits (an inline run returns its outcome to its caller)
     */
    Endings(RunEnvironment env, TaskRuntime runtime, @Nullable Executor taskThreads) {
        this.env = env;
        this.runtime = runtime;
        this.retries = new Retries(env);
        this.continuation = new WorkflowContinuation(env, taskThreads, runtime.interceptors());
    }

    /** What the handler did, as the outcome; null if the worker stopped before what follows it could start. */
    @Nullable Outcome of(Run run, Invocation.Handled handled) {
        Throwable thrown = handled.thrown();
        return of(run, thrown != null ? retries.afterError(run, thrown, handled.took())
                : returned(run, handled.result(), handled.took()));
    }

    private Ending returned(Run run, @Nullable Object result, Duration took) {
        if (!run.keepsRecord()) {
            return Ending.succeeded(null, took);
        }
        TaskDefinition task = run.task();
        String json;
        try {
            json = runtime.codec().encodeResult(result, task.resultType());
        }
        catch (JacksonException ex) {
            return Ending.failed(env.stored(ex, false), "its result could not be written as JSON: "
                    + ex.getOriginalMessage(), took);
        }
        String tooLarge = tooLarge(task, json);
        if (tooLarge != null) {
            return Ending.failed(Errors.ofReason("dev.taskqueue.ResultTooLargeException", tooLarge), tooLarge, took);
        }
        return Ending.succeeded(json, took);
    }

    /** The run's outcome; null if the worker stopped before what follows it in its workflow could start. */
    @Nullable Outcome of(Run run, Ending ending) {
        return switch (ending.kind) {
            case SUCCEEDED -> succeeded(run, ending);
            case FAILED -> failed(run, ending);
            case RETRY -> retry(run, ending);
            case REVOKED -> revoked(run, ending);
            case QUARANTINED -> quarantined(run, ending);
        };
    }

    private @Nullable Outcome succeeded(Run run, Ending ending) {
        String name = run.task().name();
        String json = ending.resultJson();
        finished(run, name, TaskEventListener.Outcome.SUCCESS, ending.took, null);
        Outcome outcome = kept(run, Outcome.succeeded(run.delivery, json).task(name, run.attempt())
                .releasing(run.releases()), ending.took);
        TaskMessage message = run.message();
        StepWorkflow workflow = workflow(run);
        return continuation.afterSuccess(run, outcome, () -> workflows().succeededLater(message, workflow, json),
                () -> workflows().succeeded(message, workflow, json));
    }

    private @Nullable Outcome failed(Run run, Ending ending) {
        TaskError error = env.stored(required(ending.error));
        String reason = env.stored(required(ending.reason));
        TaskMessage message = run.message();
        TaskDefinition task = run.task;
        String name = task != null ? task.name() : env.stored(message.task()); // unknown: anything a producer sent
        if (task == null) {
            log.error("Task {} [{}] from queue '{}' cannot run: {}", name, run.delivery.taskId(),
                    run.delivery.queue(), reason);
        }
        finished(run, name, TaskEventListener.Outcome.FAILURE, ending.took, error);
        Outcome outcome = kept(run, Outcome.failed(run.delivery, error, reason).task(name, run.attempt())
                .releasing(run.releases()), ending.took);
        return continuation.after(run, outcome, () -> workflows().failed(message, workflow(run), error, false));
    }

    /** A retry: the workflow waits for the next attempt. Its uniqueness key stays held. */
    private Outcome retry(Run run, Ending ending) {
        TaskError error = required(ending.error);
        String name = run.task().name();
        TaskMessage message = run.message();
        finished(run, name, TaskEventListener.Outcome.RETRY, ending.took, error);
        byte[] next = runtime.codec().encodeBody(message.nextAttempt(), run.argumentList());
        Outcome.Retry retry = new Outcome.Retry(next, message.priority(), ending.retryDelay().toMillis());
        return kept(run, Outcome.retry(run.delivery, error, retry).task(name, run.attempt())
                .releasing(new Outcome.Releases(null, run.permitKey)), ending.took);
    }

    private @Nullable Outcome revoked(Run run, Ending ending) {
        String name = run.task().name();
        String reason = required(ending.reason);
        log.info("Task {} [{}] not run: {}", name, run.delivery.taskId(), reason);
        finished(run, name, TaskEventListener.Outcome.REVOKED, null, null);
        Outcome outcome = kept(run, Outcome.revoked(run.delivery, reason).task(name, 0).releasing(run.releases()),
                null);
        TaskMessage message = run.message();
        StepWorkflow workflow = workflow(run);
        return continuation.after(run, outcome, () -> workflows().failed(message, workflow, outcome.error(), true));
    }

    /** A message or entry that cannot be read goes, alone and as stored, to its queue's dead letters. */
    private Outcome quarantined(Run run, Ending ending) {
        Delivery delivery = run.delivery;
        String reason = env.stored(required(ending.reason)); // it may quote the message: bounded like any text
        TaskError error = quarantined(env.listener(), delivery.queue(), delivery.taskId(), reason);
        return Outcome.quarantined(delivery, error, reason).record(true, env.resultTtlMillis()).build();
    }

    /**
     * A bug in the engine, not in the task, met while running it: the task fails visibly rather than be lost (no
     * event, no workflow continuation: the run's state is unknown).
     */
    Outcome engineError(Run run, Throwable error) {
        return Outcome.failed(run.delivery, env.stored(error, false), env.stored("worker error: " + error))
                .task(null, 0).record(true, env.resultTtlMillis()).build();
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

    /** The event of the run's end; {@code took} null (it did not run) counts as zero. */
    private void finished(Run run, String name, TaskEventListener.Outcome outcome, @Nullable Duration took,
            @Nullable TaskError error) {
        env.listener().finished(new Execution(run.delivery.taskId(), name, run.delivery.queue(), outcome,
                took == null ? Duration.ZERO : took, error));
    }

    /**
     * The outcome with its record: kept unless the task ignores its result, then with its arguments, workflow parent,
     * submission time, how long it ran ({@code ranFor}; null when it did not), and its message's headers, workflow
     * root and children for operators ({@link ContextJson}: nothing for a task that has none of them).
     */
    private Outcome kept(Run run, Outcome.Builder outcome, @Nullable Duration ranFor) {
        boolean keep = run.keepsRecord();
        outcome.record(keep, env.resultTtlMillis());
        if (keep) {
            TaskMessage message = run.message();
            outcome.describing(Outcome.Description.of(run.argumentsPreview(), message, ranFor, ContextJson.write(
                    message.headers(), message.rootId(), workflow(run).successors())));
        }
        return outcome.build();
    }

    /** Why a result cannot be kept, or null when it fits {@code taskqueue.max-result-size}. */
    private @Nullable String tooLarge(TaskDefinition task, @Nullable String json) {
        int max = env.settings().maxResultSize();
        int size = json == null || json.length() <= max / 3 ? 0 : StoredText.utf8Length(json);
        if (size <= max) {
            return null;
        }
        return "Task " + task.name() + " returned " + size + " bytes of JSON, more than taskqueue.max-result-size ("
                + max + " bytes): its result is not kept, and the task is not retried. Return a reference to the data "
                + "(an id, an object-store key) instead, or raise the limit";
    }

    private WorkflowEngine workflows() {
        return runtime.workflows();
    }

    /** What follows the run in its workflow: as admission read it, or read now (admission ended before it). */
    private StepWorkflow workflow(Run run) {
        StepWorkflow read = run.workflow;
        if (read == null) {
            read = workflows().read(run.message());
            run.workflow = read;
        }
        return read;
    }

    private static <T> T required(@Nullable T value) {
        if (value == null) {
            throw new IllegalStateException("An ending lacks what its kind needs");
        }
        return value;
    }
}
