package dev.taskqueue;

/** Thrown at submit when a task's encoded message is larger than the configured maximum. Nothing was sent. */
public class PayloadTooLargeException extends TaskQueueException {

    private static final long serialVersionUID = 1L;

    private final int size;
    private final int limit;

    public PayloadTooLargeException(String taskName, String queue, int size, int limit) {
        super("Task " + taskName + " for queue '" + queue + "' encodes to " + size + " bytes, more than the limit of "
                + limit + " bytes (taskqueue.max-payload-size). Pass a reference instead of the data (an id, an "
                + "object-store key), or raise the limit.");
        this.size = size;
        this.limit = limit;
    }

    public int getSize() {
        return size;
    }

    public int getLimit() {
        return limit;
    }
}
