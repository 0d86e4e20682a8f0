package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.event.TaskEventListener;

/**
 * Writes a {@link Submission} to Redis, in its order: a group or a chord before the messages that follow it, and
 * messages that follow one another in one broker {@code submit} (one round trip per queue), however many submits of
 * one transaction they came from. Tells the listener what was stored, as a submit does.
 */
public final class SubmissionSender {

    private final Broker broker;
    private final WorkflowStore store;
    private final TaskEventListener listener;

    public SubmissionSender(Broker broker, WorkflowStore store, TaskEventListener listener) {
        this.broker = broker;
        this.store = store;
        this.listener = listener;
    }

    /**
     * Writes every write of the submission; returns once Redis has them all, with the tasks that stand for messages
     * that collapsed into others (unique keys, debounces).
     *
     * @throws dev.taskqueue.BrokerUnavailableException when Redis cannot take them: some writes may be stored, and
     *         sending the submission again stores the rest (each write is idempotent; messages are only when they
     *         were {@linkplain SubmitTransactions.Pending#replayed() deduplicated})
     */
    public SentSubmission send(Submission submission) {
        Map<String, String> standIns = new HashMap<>();
        List<OutgoingMessage> messages = new ArrayList<>();
        for (Submission.Write write : submission.writes()) {
            if (write instanceof Submission.Send send) {
                messages.addAll(send.messages());
            }
            else if (write instanceof Submission.SaveGroup group) {
                flush(messages, standIns);
                store.saveGroup(group.groupId(), group.members(), group.ttlMillis());
            }
            else if (write instanceof Submission.OpenChord chord) {
                flush(messages, standIns);
                store.openChord(chord.chordId(), chord.size(), chord.bodyJson(), chord.bodyTaskId(),
                        chord.bodyTaskName(), chord.ttlMillis());
            }
        }
        flush(messages, standIns);
        return standIns.isEmpty() ? SentSubmission.AS_SUBMITTED : new SentSubmission(standIns);
    }

    private void flush(List<OutgoingMessage> messages, Map<String, String> standIns) {
        if (!messages.isEmpty()) {
            List<SubmitResult> results = broker.submit(messages);
            DefaultTaskClient.announce(listener, messages, results);
            for (int i = 0; i < messages.size(); i++) {
                if (!results.get(i).taskId().equals(messages.get(i).id())) {
                    standIns.put(messages.get(i).id(), results.get(i).taskId());
                }
            }
            messages.clear();
        }
    }
}
