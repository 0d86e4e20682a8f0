package dev.taskqueue.celery;

/**
 * A message a Java worker does not decode or run: another serializer than JSON, protocol 1, a body that is not
 * {@code [args, kwargs, embed]}, an envelope that is not kombu's. It goes to the dead letters with this reason,
 * which says what the sender must change; the worker carries on.
 */
final class CeleryRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CeleryRefusal(String reason) {
        super(reason);
    }

    CeleryRefusal(String reason, Throwable cause) {
        super(reason, cause);
    }
}
