package dev.taskqueue;

/** The root of taskqueue's exceptions. Unchecked, as Spring's are. */
public class TaskQueueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskQueueException(String message) {
        super(message);
    }

    public TaskQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
