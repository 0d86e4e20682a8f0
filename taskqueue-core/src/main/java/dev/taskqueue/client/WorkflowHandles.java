package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskIds;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.workflow.Target;
import dev.taskqueue.workflow.Target.GroupTarget;
import dev.taskqueue.workflow.Target.TaskTarget;

/** Handles to what a workflow completes with: a task's, or a group's made of its members'. */
final class WorkflowHandles {

    private final WorkflowStore store;
    private final ResultBackend backend;
    private final MessageCodec codec;
    private final DefaultTaskHandle.Revoker revoker;

    WorkflowHandles(WorkflowStore store, ResultBackend backend, MessageCodec codec, DefaultTaskHandle.Revoker revoker) {
        this.store = store;
        this.backend = backend;
        this.codec = codec;
        this.revoker = revoker;
    }

    TaskHandle<?> of(Target target) {
        return of(target, DefaultTaskHandle.SENT);
    }

    /** @param sent completes once Redis has the workflow's first tasks (see {@link TaskHandle#sent()}) */
    TaskHandle<?> of(Target target, CompletableFuture<SentSubmission> sent) {
        if (target instanceof TaskTarget task) {
            return new DefaultTaskHandle<>(task.id(), task.queue(), task.resultType(), backend, codec, null, revoker,
                    sent);
        }
        GroupTarget group = (GroupTarget) target;
        List<TaskHandle<Object>> members = new ArrayList<>();
        for (Target member : group.members()) {
            @SuppressWarnings("unchecked")
            TaskHandle<Object> handle = (TaskHandle<Object>) of(member, sent);
            members.add(handle);
        }
        return new DefaultGroupHandle<>(group.id(), members, sent);
    }

    /** A stored group's handle; its members' results decode to plain JSON types. */
    @SuppressWarnings("unchecked")
    GroupHandle<Object> group(String groupId) {
        TaskIds.check(groupId);
        GroupTarget target = stored(groupId);
        if (target == null) {
            throw new IllegalArgumentException("No group [" + groupId + "] is stored: the id is wrong, or the group "
                    + "expired with its results");
        }
        return (GroupHandle<Object>) of(target);
    }

    private GroupTarget stored(String groupId) {
        List<WorkflowStore.Member> members = store.group(groupId);
        if (members == null) {
            return null;
        }
        List<Target> targets = new ArrayList<>();
        for (WorkflowStore.Member member : members) {
            GroupTarget nested = member.queue().isEmpty() ? stored(member.taskId()) : null;
            targets.add(member.queue().isEmpty()
                    ? (nested != null ? nested : new GroupTarget(member.taskId(), List.of()))
                    : new TaskTarget(member.taskId(), member.queue(), Object.class));
        }
        return new GroupTarget(groupId, targets);
    }
}
