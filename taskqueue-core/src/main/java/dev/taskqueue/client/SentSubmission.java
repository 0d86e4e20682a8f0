package dev.taskqueue.client;

import java.util.Map;

/**
 * What Redis made of a written {@link Submission}: for each message that collapsed into another task (a unique key
 * already held, a debounce), the id of the task that stands for it. A handle made before the write follows that task.
 */
public record SentSubmission(Map<String, String> standIns) {

    /** Every message stored under its own id. */
    public static final SentSubmission AS_SUBMITTED = new SentSubmission(Map.of());

    public SentSubmission {
        standIns = Map.copyOf(standIns);
    }

    /** The id of the task that stands for the message with this id: its own, unless it collapsed into another. */
    public String taskIdOf(String messageId) {
        return standIns.getOrDefault(messageId, messageId);
    }
}
