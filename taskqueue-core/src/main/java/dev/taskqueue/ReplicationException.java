package dev.taskqueue;

/**
 * Thrown by submit when replica acknowledgement is required ({@code taskqueue.submit.replicas}) and fewer replicas
 * than required confirmed the write in time. The task is stored on the primary; it would be lost only if the
 * primary failed before replicating it. To be certain, submit it again with the same
 * {@link TaskOptions#taskId(String) task id}: that is idempotent.
 */
public class ReplicationException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public ReplicationException(int acknowledged, int required, long timeoutMillis) {
        super("The task was stored on the Redis primary, but only " + acknowledged + " of " + required
                + " replica(s) confirmed it within " + timeoutMillis + " ms (taskqueue.submit.replicas). Check the "
                + "replicas, or submit it again with the same task id, which is idempotent.");
    }
}
