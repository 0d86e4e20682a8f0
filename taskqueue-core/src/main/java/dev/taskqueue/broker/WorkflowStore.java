package dev.taskqueue.broker;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TaskState;
import org.jspecify.annotations.Nullable;

/**
 * Where workflows keep their shared state: group membership, chord bookkeeping, and the records of tasks a failed
 * workflow will never run. Every operation is idempotent (keyed by group, chord and member), because workers
 * deliver at least once; every key has a TTL.
 */
public interface WorkflowStore {

    /** A member task of a group: where its record lives. */
    record Member(String taskId, String queue) {
    }

    /** Stores a group's members, unless the group exists already. */
    void saveGroup(String groupId, List<Member> members, long ttlMillis);

    /** A group's members, or null when unknown or expired. */
    @Nullable
    List<Member> group(String groupId);

    /**
     * Opens a chord: records its size, what runs after it ({@code bodyJson}, kept once here rather than in every
     * header task's message) and, for operators, the body's first task. Does nothing when it is open already.
     */
    void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis);

    /**
     * Records one header task's end, once per member index whatever the number of deliveries.
     *
     * @param resultJson the member's result as JSON; for a failure passed through, {@code null}
     * @param failure for a failure that fails the chord, a description of it (else null)
     * @return what the chord is now
     */
    ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis);

    /**
     * {@link #reportToChord} of a member's result, without waiting for it: the future completes with what the chord is
     * then, or with why the report could not be recorded (it may have been: reporting again is harmless). A store
     * that cannot send without waiting reports at once.
     */
    default CompletableFuture<ChordProgress> reportToChordLater(String chordId, int index, int size,
            String resultJson, long ttlMillis) {
        try {
            return CompletableFuture.completedFuture(reportToChord(chordId, index, size, resultJson, null, ttlMillis));
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * The id of the first task a chord runs after its header (what {@code openChord} was told), for operators; null
     * when no chord has this id, its state expired, or the store does not tell.
     */
    default @Nullable String chordBodyTaskId(String chordId) {
        return null;
    }

    /** Removes a completed chord from the list of open ones. */
    void closeChord(String chordId);

    /**
     * Marks tasks that will never run (a workflow step before them failed or was revoked) as finished in this
     * state with this error, and wakes whoever waits for them. A task that already has a finished state keeps it.
     */
    void abandon(List<Abandoned> tasks, long ttlMillis);

    /** A task to mark as never run. */
    record Abandoned(String queue, String taskId, String taskName, TaskState state, String errorType,
            String errorMessage, @Nullable String errorStack) {
    }

    /**
     * Where a chord stands after a report.
     *
     * @param kind what happened
     * @param resultsJson for {@code COMPLETE}: every member's result as JSON, in index order
     * @param bodyJson unless {@code WAITING}: what runs after the chord, as given to {@code openChord} (null if
     *        the chord's state expired)
     */
    record ChordProgress(Kind kind, List<String> resultsJson, @Nullable String bodyJson) {

        /** Members are still running. */
        public static final ChordProgress WAITING = new ChordProgress(Kind.WAITING, List.of(), null);

        public enum Kind {
            /** Members are still running. */
            WAITING,
            /** Every member reported: start the body (idempotently; it may be reported more than once). */
            COMPLETE,
            /** This report failed the chord. */
            FAILED_NOW,
            /** The chord had failed already. */
            FAILED_BEFORE
        }
    }
}
