package dev.taskqueue.celery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.TaskTimeoutException;

/**
 * A group sent to Celery queues, as Python's {@code GroupResult}: its members' handles; its result is every member's
 * result in order, once all are done (the first failure fails it). Its id is the group id Python restores it by.
 */
final class CeleryGroupHandle<T> implements GroupHandle<T> {

    private final String groupId;
    private final List<CeleryTaskHandle<T>> members;

    CeleryGroupHandle(String groupId, List<CeleryTaskHandle<T>> members) {
        this.groupId = groupId;
        this.members = List.copyOf(members);
    }

    @Override
    public String id() {
        return groupId;
    }

    @Override
    public List<TaskHandle<T>> members() {
        return List.copyOf(members);
    }

    @Override
    public List<TaskState> states() {
        return members.stream().map(TaskHandle::state).toList();
    }

    @Override
    public TaskState state() {
        List<TaskState> states = states();
        if (states.stream().anyMatch(state -> state == TaskState.FAILURE)) {
            return TaskState.FAILURE;
        }
        if (states.stream().allMatch(TaskState::isFinished)) {
            return states.stream().allMatch(state -> state == TaskState.SUCCESS) ? TaskState.SUCCESS
                    : TaskState.REVOKED;
        }
        return states.stream().anyMatch(state -> state != TaskState.PENDING) ? TaskState.STARTED : TaskState.PENDING;
    }

    @Override
    public TaskInfo info() {
        return TaskInfo.of(groupId, null, state());
    }

    @Override
    public List<T> get(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<T> values = new ArrayList<>(members.size());
        for (CeleryTaskHandle<T> member : members) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TaskTimeoutException(groupId, state(), timeout);
            }
            values.add(member.get(Duration.ofNanos(left)));
        }
        return values;
    }

    @Override
    public CompletableFuture<List<T>> future() {
        List<CompletableFuture<T>> futures = members.stream().map(CeleryTaskHandle::future).toList();
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public boolean revoke(boolean interruptIfRunning) {
        boolean any = false;
        for (CeleryTaskHandle<T> member : members) {
            any |= member.revoke(interruptIfRunning);
        }
        return any;
    }
}
