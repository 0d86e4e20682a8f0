package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkflowStore;
import org.jspecify.annotations.Nullable;

/**
 * Records what a submission would write to Redis, in order, instead of writing it: the workflow store's writes a
 * submit makes (groups, chords) and the messages. The store's other operations belong to workers, never to a submit,
 * and are refused.
 */
final class SubmissionRecorder implements WorkflowStore {

    private final List<Submission.Write> writes = new ArrayList<>();

    /** Records messages as sent, each stored under its own id. */
    List<SubmitResult> send(List<OutgoingMessage> messages) {
        writes.add(new Submission.Send(messages));
        return messages.stream().map(m -> new SubmitResult(SubmitResult.Outcome.ACCEPTED, m.id())).toList();
    }

    Submission submission() {
        return new Submission(writes);
    }

    @Override
    public void saveGroup(String groupId, List<Member> members, long ttlMillis) {
        writes.add(new Submission.SaveGroup(groupId, members, ttlMillis));
    }

    @Override
    public void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) {
        writes.add(new Submission.OpenChord(chordId, size, bodyJson, bodyTaskId, bodyTaskName, ttlMillis));
    }

    @Override
    public @Nullable List<Member> group(String groupId) {
        throw notAtSubmit("group");
    }

    @Override
    public ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis) {
        throw notAtSubmit("reportToChord");
    }

    @Override
    public void closeChord(String chordId) {
        throw notAtSubmit("closeChord");
    }

    @Override
    public void abandon(List<Abandoned> tasks, long ttlMillis) {
        throw notAtSubmit("abandon");
    }

    private static IllegalStateException notAtSubmit(String operation) {
        return new IllegalStateException("A submission waiting for its transaction cannot " + operation
                + ": that is a worker's operation");
    }
}
