package dev.taskqueue.actuate.view;

/** A view that needs a store this application lacks (such as a queue browser): 501 on the web. */
public class ViewUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ViewUnavailableException(String message) {
        super(message);
    }
}
