package dev.taskqueue;

import java.util.List;
import java.util.Objects;

/**
 * A {@link Group} (the header), then a callback (the body) that runs <b>exactly once</b> after every header task
 * finished, with their results in submit order as its first argument. Retried, redelivered or crashed header
 * tasks count once each: bookkeeping is atomic in Redis, keyed by member. A header task that fails for good fails
 * the chord: the body never runs and its handle fails naming that member, unless {@link #passFailures()}: then the
 * body runs with {@code null} in that member's place. The chord's handle is its body's. Build with
 * {@link Workflows#chord}.
 *
 * @param <R> the body's result type
 */
public final class Chord<R> implements Signature<R> {

    private final Group<?> header;
    private final Signature<R> body;
    private final boolean passFailures;
    private final List<Signature<?>> links;
    private final List<Signature<?>> errorLinks;

    Chord(Group<?> header, Signature<R> body, boolean passFailures, List<Signature<?>> links,
            List<Signature<?>> errorLinks) {
        this.header = Objects.requireNonNull(header, "header");
        this.body = Objects.requireNonNull(body, "body");
        this.passFailures = passFailures;
        this.links = List.copyOf(links);
        this.errorLinks = List.copyOf(errorLinks);
    }

    /** The tasks that run in parallel first. */
    public Group<?> header() {
        return header;
    }

    /** The callback that runs with the header's results. */
    public Signature<R> body() {
        return body;
    }

    /** Whether a failed header task lets the body run anyway (with {@code null} as that task's result). */
    public boolean passesFailures() {
        return passFailures;
    }

    /** The same chord, whose body runs even when header tasks failed ({@code null} in their place). */
    public Chord<R> passFailures() {
        return new Chord<>(header, body, true, links, errorLinks);
    }

    @Override
    public List<Signature<?>> links() {
        return links;
    }

    @Override
    public List<Signature<?>> errorLinks() {
        return errorLinks;
    }

    @Override
    public Chord<R> link(Signature<?> callback) {
        return new Chord<>(header, body, passFailures, Workflows.plus(links, callback), errorLinks);
    }

    @Override
    public Chord<R> linkError(Signature<?> errorCallback) {
        return new Chord<>(header, body, passFailures, links, Workflows.plus(errorLinks, errorCallback));
    }

    @Override
    public String toString() {
        return "chord(" + header + ", " + body + ")";
    }
}
