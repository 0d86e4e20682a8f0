package dev.taskqueue.actuate.view;

/** A request that names nothing valid (a malformed id, a count out of range): 400 on the web. */
public class InvalidViewRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidViewRequestException(String message) {
        super(message);
    }
}
