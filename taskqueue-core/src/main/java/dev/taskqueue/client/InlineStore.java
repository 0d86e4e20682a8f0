package dev.taskqueue.client;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkflowStore;
import org.jspecify.annotations.Nullable;

/**
 * What the inline mode keeps, in this JVM: the records of the tasks it ran (their outcomes, as a worker's
 * acknowledgement records them), and the state its workflows share (groups, chords, the records of steps a failure
 * abandoned). Every task ran before its submit returned, so nothing here waits. Nothing expires: it lives as long as
 * its client (an application's tests).
 */
final class InlineStore implements ResultBackend, WorkflowStore {

    private final Clock clock;
    private final Map<String, TaskInfo> records = new ConcurrentHashMap<>();
    private final Map<String, List<Member>> groups = new ConcurrentHashMap<>();
    /** Guarded by itself. */
    private final Map<String, Chord> chords = new LinkedHashMap<>();

    InlineStore(Clock clock) {
        this.clock = clock;
    }

    private static final class Chord {
        final Map<Integer, String> results = new HashMap<>();
        @Nullable String body;
        @Nullable String failure;
    }

    /**
     * Whether no task had this id yet; now one has (PENDING until its outcome), as Redis keeps a caller-chosen id
     * from its submit on, so that it runs once.
     */
    boolean claim(String taskId, String queue) {
        return records.putIfAbsent(taskId, TaskInfo.pending(taskId, queue)) == null;
    }

    /**
     * Keeps a run's outcome as a worker's acknowledgement would: in its task's record, unless the task ignores its
     * result (RETRY until its next attempt ends).
     */
    void acknowledge(Outcome outcome) {
        if (!outcome.storeRecord()) {
            return;
        }
        Instant now = clock.instant();
        String taskId = outcome.delivery().taskId();
        TaskState state = switch (outcome.kind()) {
            case SUCCEEDED -> TaskState.SUCCESS;
            case FAILED, QUARANTINED -> TaskState.FAILURE;
            case REVOKED -> TaskState.REVOKED;
            case RETRY -> TaskState.RETRY;
        };
        records.put(taskId, new TaskInfo(taskId, outcome.taskName(), outcome.delivery().queue(), state,
                InlineTaskClient.WORKER_ID, instant(outcome.submittedAtMillis()),
                outcome.ranForMillis() < 0 ? null : now.minusMillis(outcome.ranForMillis()), now, outcome.attempt(),
                outcome.resultJson(), outcome.error(), state == TaskState.RETRY ? now : null, null, null,
                outcome.argumentsJson(), outcome.parentId()));
    }

    private static @Nullable Instant instant(long epochMillis) {
        return epochMillis < 0 ? null : Instant.ofEpochMilli(epochMillis);
    }

    @Override
    public TaskInfo find(@Nullable String queue, String taskId) {
        TaskInfo info = records.get(taskId);
        return info != null ? info : TaskInfo.pending(taskId, queue);
    }

    @Override
    public CompletableFuture<TaskInfo> whenFinished(@Nullable String queue, String taskId) {
        TaskInfo info = find(queue, taskId);
        return info.state().isFinished() ? CompletableFuture.completedFuture(info) : new CompletableFuture<>();
    }

    @Override
    public void saveGroup(String groupId, List<Member> members, long ttlMillis) {
        groups.putIfAbsent(groupId, List.copyOf(members));
    }

    @Override
    public @Nullable List<Member> group(String groupId) {
        return groups.get(groupId);
    }

    @Override
    public void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) {
        synchronized (chords) {
            Chord chord = chords.computeIfAbsent(chordId, id -> new Chord());
            if (chord.body == null) {
                chord.body = bodyJson;
            }
        }
    }

    @Override
    public ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis) {
        synchronized (chords) {
            Chord chord = chords.computeIfAbsent(chordId, id -> new Chord());
            if (chord.failure != null) {
                return new ChordProgress(ChordProgress.Kind.FAILED_BEFORE, List.of(), chord.body);
            }
            if (failure != null) {
                chord.failure = failure;
                return new ChordProgress(ChordProgress.Kind.FAILED_NOW, List.of(), chord.body);
            }
            chord.results.putIfAbsent(index, resultJson == null ? "null" : resultJson);
            if (chord.results.size() < size) {
                return ChordProgress.WAITING;
            }
            List<String> ordered = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                ordered.add(chord.results.get(i));
            }
            return new ChordProgress(ChordProgress.Kind.COMPLETE, ordered, chord.body);
        }
    }

    /** Nothing to do: a chord leaves only the operators' list when it closes, and the inline mode lists none. */
    @Override
    public void closeChord(String chordId) {
    }

    @Override
    public void abandon(List<Abandoned> tasks, long ttlMillis) {
        for (Abandoned task : tasks) {
            TaskInfo now = new TaskInfo(task.taskId(), task.taskName(), task.queue(), task.state(), null, null, null,
                    clock.instant(), 0, null, new TaskError(task.errorType(), task.errorMessage(), task.errorStack(),
                            false), null, null, null, null, null);
            records.merge(task.taskId(), now, (kept, abandoned) -> kept.state().isFinished() ? kept : abandoned);
        }
    }
}
