package dev.taskqueue.broker;

/**
 * What the broker did with a submitted message.
 *
 * @param outcome what happened
 * @param taskId the id of the task that represents this submission: its own, or the task it collapsed into
 */
public record SubmitResult(Outcome outcome, String taskId) {

    /** What happened to a submitted message. */
    public enum Outcome {

        /** The message is stored. */
        ACCEPTED,

        /** A task with the same caller-chosen id already exists; nothing was stored. */
        DUPLICATE,

        /** A task with the same uniqueness key is queued, running or within its window; nothing was stored. */
        NOT_UNIQUE,

        /** A pending task with the same uniqueness key (debounce) took this message's arguments. */
        DEBOUNCED
    }

    /** Whether this message was stored as a task of its own. */
    public boolean stored() {
        return outcome == Outcome.ACCEPTED;
    }
}
