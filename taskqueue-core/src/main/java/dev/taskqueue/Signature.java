package dev.taskqueue;

import java.util.List;

/**
 * Work described as a value, to submit now or to run after other work: one {@link TaskCall}, a {@link Chain}
 * (one after the other, each result feeding the next), a {@link Group} (in parallel) or a {@link Chord} (a group,
 * then a callback with all its results). Build them with {@link Workflows}; submit them with
 * {@link TaskClient#submit(Signature)}. Signatures nest: a chain may hold a group, a group chains, a chord sit in
 * a chain. Immutable.
 *
 * <pre>{@code
 * import static dev.taskqueue.Workflows.*;
 *
 * TaskHandle<Report> report = taskClient.submit(chain(
 *         TaskCall.of(Orders::load, orderId),          // its result becomes the first argument of...
 *         TaskCall.partial(Orders::price),             // ...this one, whose result feeds...
 *         TaskCall.partial(Reports::render, "pdf")));  // ...this one (its second argument is "pdf")
 * }</pre>
 *
 * @param <R> the type of the result it completes with
 */
public sealed interface Signature<R> permits TaskCall, Chain, Group, Chord {

    /** Callbacks run with this signature's result when it succeeds (Celery's {@code link}). */
    List<Signature<?>> links();

    /**
     * Callbacks run when it fails for good (Celery's {@code link_error}), with a {@link TaskFailure} as their first
     * argument unless {@link TaskCall#immutable() immutable}. Each runs at most once per submission.
     */
    List<Signature<?>> errorLinks();

    /** Whether it has callbacks ({@link #links()} or {@link #errorLinks()}): then it runs as a workflow. */
    default boolean hasCallbacks() {
        return !links().isEmpty() || !errorLinks().isEmpty();
    }

    /** The same signature, also running {@code callback} with its result when it succeeds. */
    Signature<R> link(Signature<?> callback);

    /** The same signature, also running {@code errorCallback} when it fails. */
    Signature<R> linkError(Signature<?> errorCallback);
}
