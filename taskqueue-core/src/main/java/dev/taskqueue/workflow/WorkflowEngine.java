package dev.taskqueue.workflow;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskFailure;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.broker.WorkflowStore.ChordProgress;
import dev.taskqueue.workflow.StepFailures.Cause;
import dev.taskqueue.workflow.Target.GroupTarget;
import dev.taskqueue.workflow.Target.TaskTarget;
import dev.taskqueue.workflow.WorkflowCompiler.Compiled;
import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.ReportNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs workflows ({@link Chain}, {@link Group}, {@link Chord}, links and error links) without a coordinator.
 *
 * <p><b>Compile</b> ({@link WorkflowCompiler}). At submit, the client turns the signature into typed
 * {@link WorkflowNode}s and gives every task in it an id up front. Only the tasks that can start at once are
 * stored; each carries, in its message's {@code workflow} field ({@link WorkflowFormat}, versioned), the nodes
 * that run after it: its links (with its result) and error links (with a {@link TaskFailure}).
 *
 * <p><b>Continue</b> ({@link StepStarter}). When a task ends, the worker that ran it starts what follows <i>before</i>
 * acknowledging it. Every id is fixed, and submitting an id that exists does nothing, so a redelivered task starts
 * its successors again harmlessly: each is stored once. A chord's members carry a report node; reports are recorded
 * atomically per member position, and whoever sees the last one starts the body (with a fixed id: once).
 *
 * <p><b>Fail</b> ({@link StepFailures}). A task that fails for good (or is revoked) runs its error links, and marks
 * every task after it that will now never run as FAILURE (or REVOKED) with its error, so that waiting handles fail
 * at once, naming the task that failed. In a chord, the first failed member fails the chord (unless failures pass
 * through).
 *
 * <p>Steps are stored through a {@link StepSubmitter}: as the client stores any call.
 */
public final class WorkflowEngine {

    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);

    private final EngineParts parts;
    private final WorkflowCompiler compiler;
    private final StepStarter starter;
    private final StepFailures failures;

    /**
     * @param store where groups, chords and the records of abandoned steps are kept
     * @param submitter how steps are stored: as a client submits a call
     * @param mapper the application's mapper, which writes workflows as it writes arguments
     * @param ttlMillis how long groups, chords and abandoned records are kept: the result TTL
     */
    public WorkflowEngine(WorkflowStore store, StepSubmitter submitter, ObjectMapper mapper, long ttlMillis) {
        this.parts = new EngineParts(store, submitter, new WorkflowFormat(mapper), ttlMillis);
        this.compiler = new WorkflowCompiler(submitter, mapper);
        this.starter = new StepStarter(parts);
        this.failures = new StepFailures(parts, starter);
    }

    // ------------------------------------------------------------------------------------------ submit

    /**
     * Compiles a signature, stores its groups' member lists, then submits what can start at once. Returns what its
     * handle follows.
     */
    public Target submit(Signature<?> signature, TaskOptions defaults) {
        Compiled compiled = compiler.compile(signature, defaults);
        submit(List.of(compiled));
        return compiled.target();
    }

    /**
     * Submits calls, some with callbacks, together: each is checked (compiled, then its message's size) before
     * any is sent. Returns what each one's handle follows.
     */
    public List<Target> submitCalls(List<? extends TaskCall<?>> calls, TaskOptions defaults) {
        List<Compiled> compiled = calls.stream().map(call -> compiler.compile(call, defaults)).toList();
        submit(compiled);
        return compiled.stream().map(Compiled::target).toList();
    }

    private void submit(List<Compiled> workflows) {
        for (Compiled compiled : workflows) {
            for (GroupTarget group : compiled.groups()) {
                parts.store().saveGroup(group.id(), group.members().stream().map(WorkflowEngine::member).toList(),
                        parts.ttlMillis());
            }
        }
        StepBatch batch = batch(null, null);
        workflows.forEach(compiled -> starter.start(compiled.root(), null, batch, List.of(), List.of()));
        batch.flush();
    }

    private static WorkflowStore.Member member(Target target) {
        if (target instanceof TaskTarget task) {
            return new WorkflowStore.Member(task.id(), task.queue());
        }
        return new WorkflowStore.Member(target.id(), ""); // a nested group: no queue
    }

    // ------------------------------------------------------------------------------------------ continue

    /**
     * Reads a step's workflow field, once per run: what follows it, or why this worker cannot read it (a format
     * version it does not know, or not a workflow; such a step must not run: what follows it could not start).
     */
    public StepWorkflow read(TaskMessage message) {
        JsonNode workflow = message.workflow();
        if (workflow == null) {
            return StepWorkflow.NONE;
        }
        try {
            return StepWorkflow.readable(parts.format().read(workflow));
        }
        catch (UnreadableWorkflowException ex) {
            return StepWorkflow.unreadable(ex.getMessage());
        }
    }

    /**
     * A task of a workflow succeeded: start what follows it ({@code step}, as {@link #read} read it), with its result.
     *
     * @throws UnreadableWorkflowException when its workflow cannot be read ({@link StepWorkflow#unreadable})
     */
    public void succeeded(TaskMessage message, StepWorkflow step, @Nullable String resultJson) {
        Continuation continuation = step.continuation();
        if (continuation == null || continuation.links().isEmpty()) {
            return;
        }
        StepBatch batch = batch(message.id(), rootOf(message));
        JsonNode result = null; // read only for links that take it as an argument: a chord member's report does not
        for (WorkflowNode link : continuation.links()) {
            if (link instanceof ReportNode report) {
                starter.report(report, resultJson == null ? "null" : resultJson, batch);
                continue;
            }
            if (result == null) {
                result = parts.format().result(resultJson);
            }
            starter.start(link, result, batch, List.of(), List.of());
        }
        batch.flush();
    }

    /**
     * {@link #succeeded} without waiting for Redis, for a step whose one link is its report to a chord (a chord's
     * member, the common case of a chord): its report is sent, and the future completes with what is left to do once
     * it was recorded, to be run on a task's thread (start the chord's body: this report completed it), or null for
     * nothing; or with why it could not be recorded (then {@link #succeeded} reports again: a report is recorded once
     * per member, however often it is sent). Returns null for any other step: {@link #succeeded} starts what
     * follows it.
     */
    public @Nullable CompletableFuture<@Nullable Runnable> succeededLater(TaskMessage message, StepWorkflow step,
            @Nullable String resultJson) {
        Continuation continuation = step.continuation();
        if (continuation == null || continuation.links().size() != 1
                || !(continuation.links().get(0) instanceof ReportNode report)) {
            return null;
        }
        return parts.store().reportToChordLater(report.chord(), report.index(), report.size(),
                resultJson == null ? "null" : resultJson, parts.ttlMillis()).thenApply(progress -> {
                    if (progress.kind() != ChordProgress.Kind.COMPLETE) {
                        return null;
                    }
                    return () -> {
                        StepBatch batch = batch(message.id(), rootOf(message));
                        starter.completeChord(report.chord(), progress, batch);
                        batch.flush();
                    };
                });
    }

    /**
     * A task of a workflow failed for good, or was revoked: run its error links, and mark what will now never run.
     * When its workflow cannot be read ({@link StepWorkflow#unreadable}: the task was refused), what follows is left
     * as it is: it starts once the task, requeued from the dead letters, runs on a worker that reads it.
     *
     * @param step what follows it, as {@link #read} read it
     * @param revoked whether it was revoked (what follows reads REVOKED) rather than failed
     */
    public void failed(TaskMessage message, StepWorkflow step, TaskError error, boolean revoked) {
        if (step.unreadable() != null) {
            log.warn("Task {} [{}] {}; what follows it in its workflow is left as it is: {}", message.task(),
                    message.id(), revoked ? "was revoked" : "failed", step.unreadable());
            return;
        }
        Continuation continuation = step.continuation();
        if (continuation == null) {
            return;
        }
        StepBatch batch = batch(message.id(), rootOf(message));
        TaskFailure failure = new TaskFailure(message.id(), message.task(), error.type(), error.message());
        String verb = revoked ? "was revoked" : "failed";
        failures.stepFailed(continuation, new Cause(revoked ? TaskState.REVOKED : TaskState.FAILURE, error.type(),
                "Task '" + message.task() + "' [" + message.id() + "] " + verb + ": " + error.message(),
                error.stackTrace(), failure), batch);
        batch.flush();
    }

    private static String rootOf(TaskMessage message) {
        return message.rootId() != null ? message.rootId() : message.id();
    }

    private StepBatch batch(@Nullable String parentId, @Nullable String rootId) {
        return new StepBatch(parts, failures, parentId, rootId);
    }
}
