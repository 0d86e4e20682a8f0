package dev.taskqueue;

/**
 * Thrown when Redis cannot be reached or does not answer in time. A submit that threw this was not accepted by
 * this call; to retry safely, submit again with the same {@link TaskOptions#taskId(String) task id}.
 */
public class BrokerUnavailableException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
