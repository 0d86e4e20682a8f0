package dev.taskqueue.workflow;

import java.util.List;

import dev.taskqueue.TaskFailure;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.broker.WorkflowStore.ChordProgress;
import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.ChainNode;
import dev.taskqueue.workflow.WorkflowNode.ChordNode;
import dev.taskqueue.workflow.WorkflowNode.GroupNode;
import dev.taskqueue.workflow.WorkflowNode.ReportNode;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a step that ends without a result does to its workflow:
 * <ol>
 * <li>its error links start, with a {@link TaskFailure};</li>
 * <li>every step after it, which will now never run, is marked FAILURE (or REVOKED) with its cause, so that
 * handles waiting for them (a chain's last step, a chord's callback) fail at once, naming the step that failed;</li>
 * <li>a chord member fails its chord: the first failed member marks the chord failed and starts the chord's error
 * links, unless failures pass through (then it counts as a null result).</li>
 * </ol>
 */
final class StepFailures {

    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);

    private final EngineParts parts;
    private final StepStarter starter;

    StepFailures(EngineParts parts, StepStarter starter) {
        this.parts = parts;
        this.starter = starter;
    }

    /** Why steps will never run: the state and error they take, and the failure their error links receive. */
    record Cause(TaskState state, String errorType, String message, @Nullable String stack, TaskFailure failure) {
    }

    /** A step ended without a result: its error links start with the failure; what follows it will never run. */
    void stepFailed(Continuation continuation, Cause cause, StepBatch batch) {
        startErrorLinks(continuation.errorLinks(), cause, batch);
        for (WorkflowNode link : continuation.links()) {
            abandon(link, cause, batch);
        }
    }

    /**
     * A step could not be submitted (arguments too large, say): it is marked FAILURE with the reason rather than
     * tried again forever, and fails as if it had run.
     *
     * @param errorLinks where its own error links start, after {@code batch}
     */
    void cannotSubmit(TaskNode step, @Nullable Continuation continuation, RuntimeException why, StepBatch batch,
            StepBatch errorLinks) {
        log.error("Workflow step {} [{}] cannot be submitted: {}", step.task(), step.id(), why.getMessage());
        String type = why.getClass().getName();
        Cause cause = new Cause(TaskState.FAILURE, type, "Could not submit task '" + step.task() + "' [" + step.id()
                + "]: " + why.getMessage(), null, new TaskFailure(step.id(), step.task(), type, why.getMessage()));
        abandon(step, cause, batch);
        if (continuation != null) {
            stepFailed(continuation, cause, errorLinks);
        }
    }

    /** Marks every task of a node as never run, and fails the chords it reports to. */
    private void abandon(WorkflowNode node, Cause cause, StepBatch batch) {
        if (node instanceof TaskNode task) {
            batch.markAbandoned(new WorkflowStore.Abandoned(task.queue(), task.id(), task.task(), cause.state(),
                    cause.errorType(), cause.message(), cause.stack()));
        }
        else if (node instanceof ChainNode chain) {
            chain.steps().forEach(step -> abandon(step, cause, batch));
        }
        else if (node instanceof GroupNode group) {
            group.members().forEach(member -> abandon(member, cause, batch));
        }
        else if (node instanceof ChordNode chord) {
            chord.header().forEach(member -> abandon(member, cause, batch));
            abandon(chord.body(), cause, batch);
        }
        else {
            chordMemberFailed((ReportNode) node, cause, batch);
        }
        for (WorkflowNode link : node.links()) {
            abandon(link, cause, batch);
        }
    }

    private void chordMemberFailed(ReportNode report, Cause cause, StepBatch batch) {
        WorkflowStore store = parts.store();
        if (report.passFailures()) {
            ChordProgress progress = store.reportToChord(report.chord(), report.index(), report.size(), null, null,
                    parts.ttlMillis());
            if (progress.kind() == ChordProgress.Kind.COMPLETE) {
                starter.completeChord(report.chord(), progress, batch);
            }
            return;
        }
        String description = "Chord member " + (report.index() + 1) + " of " + report.size() + ": " + cause.message();
        ChordProgress progress = store.reportToChord(report.chord(), report.index(), report.size(), null,
                description, parts.ttlMillis());
        if (progress.kind() == ChordProgress.Kind.FAILED_NOW) {
            log.warn("Chord [{}] failed: {}", report.chord(), description);
        }
        startErrorLinks(report.errorLinks(), cause, batch);
        abandon(starter.body(report.chord(), progress), new Cause(cause.state(), cause.errorType(), description,
                cause.stack(), cause.failure()), batch);
    }

    private void startErrorLinks(List<WorkflowNode> errorLinks, Cause cause, StepBatch batch) {
        for (WorkflowNode err : errorLinks) {
            starter.start(err, parts.format().tree(cause.failure()), batch, List.of(), List.of());
        }
    }
}
