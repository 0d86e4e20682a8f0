package dev.taskqueue.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import org.jspecify.annotations.Nullable;

/** A group's handle: its members' handles, combined. */
final class DefaultGroupHandle<T> implements GroupHandle<T> {

    private final String id;
    private final List<TaskHandle<T>> members;
    private final CompletableFuture<SentSubmission> sent;

    DefaultGroupHandle(String id, List<TaskHandle<T>> members) {
        this(id, members, DefaultTaskHandle.SENT);
    }

    /** @param sent completes once Redis has the group's tasks (see {@link TaskHandle#sent()}) */
    DefaultGroupHandle(String id, List<TaskHandle<T>> members, CompletableFuture<SentSubmission> sent) {
        this.id = id;
        this.members = List.copyOf(members);
        this.sent = sent;
    }

    @Override
    public CompletableFuture<Void> sent() {
        return sent.isDone() && !sent.isCompletedExceptionally() ? CompletableFuture.completedFuture(null)
                : sent.thenApplyAsync(written -> null);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<TaskHandle<T>> members() {
        return members;
    }

    @Override
    public List<TaskState> states() {
        return members.stream().map(TaskHandle::state).toList();
    }

    /**
     * FAILURE or REVOKED as soon as a member is; SUCCESS when all succeeded; STARTED while any runs or ran; else
     * PENDING.
     */
    @Override
    public TaskState state() {
        return combine(states());
    }

    static TaskState combine(List<TaskState> states) {
        if (states.contains(TaskState.FAILURE)) {
            return TaskState.FAILURE;
        }
        if (states.contains(TaskState.REVOKED)) {
            return TaskState.REVOKED;
        }
        if (states.stream().allMatch(s -> s == TaskState.SUCCESS)) {
            return TaskState.SUCCESS;
        }
        if (states.stream().anyMatch(s -> s != TaskState.PENDING && s != TaskState.SCHEDULED)) {
            return TaskState.STARTED;
        }
        return TaskState.PENDING;
    }

    @Override
    public TaskInfo info() {
        List<TaskInfo> infos = members.stream().map(TaskHandle::info).toList();
        TaskState state = combine(infos.stream().map(TaskInfo::state).toList());
        Instant started = infos.stream().map(TaskInfo::startedAt).filter(t -> t != null).min(Instant::compareTo)
                .orElse(null);
        Instant finished = state.isFinished() ? infos.stream().map(TaskInfo::finishedAt).filter(t -> t != null)
                .max(Instant::compareTo).orElse(null) : null;
        return new TaskInfo(id, "group", null, state, null, null, started, finished, 0, null,
                infos.stream().map(TaskInfo::error).filter(e -> e != null).findFirst().orElse(null), null,
                (double) infos.stream().filter(i -> i.state().isFinished()).count() / Math.max(1, infos.size()),
                null, null, null);
    }

    @Override
    public List<T> get(Duration timeout) {
        HeldSend.checkNotWaitingInItsTransaction(sent, "group [" + id + "]");
        return HandleWait.get(future(), timeout, id, "group [" + id + "]", this::state);
    }

    /** Completes with every result in order, or exceptionally as soon as a member failed. */
    @Override
    public CompletableFuture<List<T>> future() {
        CompletableFuture<List<T>> all = new CompletableFuture<>();
        List<CompletableFuture<T>> futures = new ArrayList<>(members.size());
        members.forEach(member -> futures.add(member.future()));
        AtomicInteger remaining = new AtomicInteger(futures.size());
        if (futures.isEmpty()) {
            all.complete(List.of());
        }
        for (CompletableFuture<T> future : futures) {
            future.whenComplete((result, failure) -> {
                if (failure != null) {
                    all.completeExceptionally(failure instanceof java.util.concurrent.CompletionException
                            && failure.getCause() != null ? failure.getCause() : failure);
                }
                else if (remaining.decrementAndGet() == 0) {
                    List<@Nullable T> results = new ArrayList<>(futures.size());
                    futures.forEach(f -> results.add(f.join()));
                    all.complete(java.util.Collections.unmodifiableList(results));
                }
            });
        }
        all.whenComplete((r, f) -> {
            if (all.isCancelled() || f != null) {
                futures.forEach(m -> m.cancel(false)); // stop waiting for the others
            }
        });
        return all;
    }

    /** Revokes every member; true if the revocation was recorded for any of them (one had not finished). */
    @Override
    public boolean revoke(boolean interruptIfRunning) {
        boolean any = false;
        for (TaskHandle<T> member : members) {
            any |= member.revoke(interruptIfRunning);
        }
        return any;
    }

    @Override
    public String toString() {
        return "GroupHandle[" + id + ", " + members.size() + " member(s)]";
    }
}
