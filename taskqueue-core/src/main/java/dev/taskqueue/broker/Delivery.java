package dev.taskqueue.broker;

import org.jspecify.annotations.Nullable;

/**
 * A message a worker claimed. Its lease ({@code entryId} in {@code stream}) proves the claim: the outcome is
 * recorded only while the lease holds, so a task whose lease was taken over (its worker was thought dead) has
 * exactly one outcome.
 *
 * @param queue the queue
 * @param stream which of the queue's streams it came from (a priority band, or the redelivery stream)
 * @param entryId the lease: the message's entry in that stream
 * @param taskId the task id
 * @param body the encoded message
 * @param deliveries how many times it was delivered before without an outcome (its workers died)
 * @param revoked whether the task was revoked: the worker records it as REVOKED without running it
 * @param malformed what is wrong with the entry as stored (a field missing or unreadable), or null when nothing is:
 *        the worker quarantines a malformed entry in the dead letters without reading it further
 */
public record Delivery(String queue, String stream, String entryId, String taskId, byte[] body, int deliveries,
        boolean revoked, @Nullable String malformed) {

    public Delivery(String queue, String stream, String entryId, String taskId, byte[] body, int deliveries,
            boolean revoked) {
        this(queue, stream, entryId, taskId, body, deliveries, revoked, null);
    }

    /** The same delivery, marked revoked. */
    public Delivery asRevoked() {
        return new Delivery(queue, stream, entryId, taskId, body, deliveries, true, malformed);
    }
}
