package dev.taskqueue;

/**
 * Thrown when Redis cannot be reached, does not answer in time, or cannot serve commands for a time: it is loading
 * its data set, it is a read-only replica (after a failover) or a replica cut off from its primary, a cluster slot
 * is down or moving, a script holds it, or too few replicas are connected. The message names the state and what to
 * do.
 *
 * <p>A submit tries again first, for a short time, where that cannot store a task twice
 * ({@code taskqueue.submit.retry.*}); the message says how many attempts were made. A submit that threw this has
 * not stored the task, unless Redis failed to answer once the command was sent (a timeout, a connection lost): then
 * it may have. To retry safely, submit again with the same {@link TaskOptions#taskId(String) task id}.
 */
public class BrokerUnavailableException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
