package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskIds;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.internal.MessageCodec;

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

    TaskHandle<?> of(WorkflowEngine.Target target) {
        if (target instanceof WorkflowEngine.TaskTarget task) {
            return new DefaultTaskHandle<>(task.id(), task.queue(), task.resultType(), backend, codec, null, revoker);
        }
        WorkflowEngine.GroupTarget group = (WorkflowEngine.GroupTarget) target;
        List<TaskHandle<Object>> members = new ArrayList<>();
        for (WorkflowEngine.Target member : group.members()) {
            @SuppressWarnings("unchecked")
            TaskHandle<Object> handle = (TaskHandle<Object>) of(member);
            members.add(handle);
        }
        return new DefaultGroupHandle<>(group.id(), members);
    }

    /** A stored group's handle; its members' results decode to plain JSON types. */
    @SuppressWarnings("unchecked")
    GroupHandle<Object> group(String groupId) {
        TaskIds.check(groupId);
        WorkflowEngine.GroupTarget target = stored(groupId);
        if (target == null) {
            throw new IllegalArgumentException("No group [" + groupId + "] is stored: the id is wrong, or the group "
                    + "expired with its results");
        }
        return (GroupHandle<Object>) of(target);
    }

    private WorkflowEngine.GroupTarget stored(String groupId) {
        List<WorkflowStore.Member> members = store.group(groupId);
        if (members == null) {
            return null;
        }
        List<WorkflowEngine.Target> targets = new ArrayList<>();
        for (WorkflowStore.Member member : members) {
            WorkflowEngine.GroupTarget nested = member.queue().isEmpty() ? stored(member.taskId()) : null;
            targets.add(member.queue().isEmpty()
                    ? (nested != null ? nested : new WorkflowEngine.GroupTarget(member.taskId(), List.of()))
                    : new WorkflowEngine.TaskTarget(member.taskId(), member.queue(), Object.class));
        }
        return new WorkflowEngine.GroupTarget(groupId, targets);
    }
}
