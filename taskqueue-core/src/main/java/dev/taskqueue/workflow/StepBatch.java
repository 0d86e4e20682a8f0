package dev.taskqueue.workflow;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import org.jspecify.annotations.Nullable;

/**
 * The tasks one submission or one continuation stores, in one round trip, with the records of the steps it
 * abandons: prepared (through the interceptors) and checked only at {@link #flush()}. A step that cannot be stored
 * (arguments too large, say) is failed ({@link StepFailures#cannotSubmit}) rather than tried again forever; at
 * submit, the caller hears it instead.
 */
final class StepBatch {

    /** A task to store, where it sits in its workflow, and what follows it (null: nothing). */
    private record Step(TaskNode node, TaskCall<?> call, @Nullable String parentId, @Nullable String rootId,
            @Nullable Continuation continuation) {
    }

    private final EngineParts parts;
    private final StepFailures failures;
    private final @Nullable String parentId;
    private final @Nullable String rootId;
    /** The batch this one's steps go into (a child's are flushed with its owner's); null: its own. */
    private final @Nullable StepBatch owner;
    private final List<Step> steps = new ArrayList<>();
    private final List<WorkflowStore.Abandoned> abandoned = new ArrayList<>();
    private final List<Runnable> afterFlush = new ArrayList<>();

    /**
     * @param parentId the task whose end starts these steps, or null at submit
     * @param rootId the workflow's first task, or null at submit
     */
    StepBatch(EngineParts parts, StepFailures failures, @Nullable String parentId, @Nullable String rootId) {
        this(parts, failures, parentId, rootId, null);
    }

    private StepBatch(EngineParts parts, StepFailures failures, @Nullable String parentId, @Nullable String rootId,
            @Nullable StepBatch owner) {
        this.parts = parts;
        this.failures = failures;
        this.parentId = parentId;
        this.rootId = rootId;
        this.owner = owner;
    }

    /** A batch whose tasks name another parent (a chord's body names the chord), flushed with this one. */
    StepBatch child(String parent) {
        return new StepBatch(parts, failures, parent, rootId != null ? rootId : parent, root());
    }

    private StepBatch root() {
        return owner != null ? owner : this;
    }

    void add(TaskNode node, TaskCall<?> call, @Nullable Continuation continuation) {
        root().steps.add(new Step(node, call, parentId, rootId, continuation));
    }

    void markAbandoned(WorkflowStore.Abandoned task) {
        root().abandoned.add(task);
    }

    void afterFlush(Runnable action) {
        root().afterFlush.add(action);
    }

    /** Stores the steps (and what their failures start), records the abandoned ones, then runs the after-actions. */
    void flush() {
        StepBatch target = root();
        if (!target.steps.isEmpty()) {
            parts.submitter().aroundSubmit(target.steps.stream().map(Step::call).toList(), target::store);
        }
        if (!target.abandoned.isEmpty()) {
            parts.store().abandon(target.abandoned, parts.ttlMillis());
        }
        target.afterFlush.forEach(Runnable::run);
    }

    private List<SubmitResult> store() {
        List<OutgoingMessage> messages = new ArrayList<>(steps.size());
        StepBatch errorLinks = new StepBatch(parts, failures, parentId, rootId); // of steps that cannot be stored
        // By index: failing a step may add others (a chord's error links, or its body when failures pass through).
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            try {
                messages.add(parts.submitter().prepare(step.call(), lineage(step)));
            }
            catch (IllegalArgumentException | PayloadTooLargeException ex) {
                if (parentId == null) {
                    throw ex; // at submit: the caller hears it
                }
                failures.cannotSubmit(step.node(), step.continuation(), ex, this, errorLinks);
            }
        }
        List<SubmitResult> results = messages.isEmpty() ? List.of() : parts.submitter().submit(messages);
        errorLinks.flush();
        return results;
    }

    private StepSubmitter.Lineage lineage(Step step) {
        Continuation continuation = step.continuation();
        return new StepSubmitter.Lineage(step.parentId(), step.rootId(),
                continuation == null ? null : parts.format().write(continuation));
    }
}
