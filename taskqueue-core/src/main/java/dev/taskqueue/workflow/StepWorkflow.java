package dev.taskqueue.workflow;

import java.util.List;

import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import org.jspecify.annotations.Nullable;

/**
 * A step's {@code workflow} field as {@link WorkflowEngine#read} read it, once per run: what follows the step, or
 * why this release cannot read it. A worker asks it three things of one run (may it run, what its record lists as
 * its children, what to start when it ends); reading the field for each was 13% of a chord member's CPU on its
 * thread.
 */
public final class StepWorkflow {

    /** A task outside any workflow: nothing follows it. */
    static final StepWorkflow NONE = new StepWorkflow(null, null);

    private final @Nullable Continuation continuation;
    private final @Nullable String unreadable;

    private StepWorkflow(@Nullable Continuation continuation, @Nullable String unreadable) {
        this.continuation = continuation;
        this.unreadable = unreadable;
    }

    static StepWorkflow readable(Continuation continuation) {
        return new StepWorkflow(continuation, null);
    }

    static StepWorkflow unreadable(String why) {
        return new StepWorkflow(null, why);
    }

    /**
     * Why this worker cannot read the field (a format version it does not know, or not a workflow), or null. Such
     * a step must not run: what follows it could not start.
     */
    public @Nullable String unreadable() {
        return unreadable;
    }

    /** The ids of the tasks (or, for a chord member, the chord) that start after the step, for operators. */
    public List<String> successors() {
        return continuation == null ? List.of() : WorkflowSuccessors.of(continuation);
    }

    /** What follows the step; null when nothing does. */
    @Nullable Continuation continuation() {
        if (unreadable != null) {
            throw new UnreadableWorkflowException(unreadable);
        }
        return continuation;
    }
}
