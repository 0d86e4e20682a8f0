package dev.taskqueue.actuate.view;

/** A queue, task, dead letter, schedule or catalog entry that does not exist: 404 on the web. */
public class ViewNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ViewNotFoundException(String message) {
        super(message);
    }
}
