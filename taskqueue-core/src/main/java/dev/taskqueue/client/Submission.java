package dev.taskqueue.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.WorkflowStore;

/**
 * What a submission writes to Redis, in order, kept to be written later: when its transaction commits, or by the
 * outbox relay. Every write is idempotent when replayed (groups and chords are saved unless they exist, messages of
 * an outbox submission carry fixed ids that Redis deduplicates), so writing a submission twice stores it once.
 * Immutable.
 */
public final class Submission {

    /** One write, in the order the submission made it. */
    public sealed interface Write {
    }

    /** A group's members ({@link WorkflowStore#saveGroup}). */
    public record SaveGroup(String groupId, List<WorkflowStore.Member> members, long ttlMillis) implements Write {
        public SaveGroup {
            members = List.copyOf(members);
        }
    }

    /** A chord's bookkeeping ({@link WorkflowStore#openChord}). */
    public record OpenChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) implements Write {
    }

    /** Messages stored together, as the broker's one {@code submit} call. */
    public record Send(List<OutgoingMessage> messages) implements Write {
        public Send {
            messages = List.copyOf(messages);
        }
    }

    private final List<Write> writes;

    public Submission(List<Write> writes) {
        this.writes = List.copyOf(writes);
    }

    /** The writes, in order. */
    public List<Write> writes() {
        return writes;
    }

    /** The ids of the tasks this submission stores, in order. */
    public List<String> taskIds() {
        List<String> ids = new ArrayList<>();
        for (Write write : writes) {
            if (write instanceof Send send) {
                send.messages().forEach(message -> ids.add(message.id()));
            }
        }
        return Collections.unmodifiableList(ids);
    }

    /** This submission's writes, then those of {@code next}: two submissions of one transaction, in order. */
    public Submission then(Submission next) {
        List<Write> all = new ArrayList<>(writes.size() + next.writes.size());
        all.addAll(writes);
        all.addAll(next.writes);
        return new Submission(all);
    }

    /** This submission with every message deduplicated by its id, so that replaying it stores each task once. */
    Submission deduplicated() {
        List<Write> copy = new ArrayList<>(writes.size());
        for (Write write : writes) {
            copy.add(write instanceof Send send ? new Send(send.messages().stream().map(Submission::deduplicated)
                    .toList()) : write);
        }
        return new Submission(copy);
    }

    private static OutgoingMessage deduplicated(OutgoingMessage m) {
        return m.deduplicate() ? m : new OutgoingMessage(m.id(), m.taskName(), m.queue(), m.priority(), m.body(),
                m.delayMillis(), m.dueAtMillis(), true, m.recordTtlMillis(), m.unique(), m.parentId());
    }

    @Override
    public String toString() {
        return "Submission" + taskIds();
    }
}
