package dev.taskqueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Signatures run one after the other: each one's result becomes the first argument of the next (unless the next
 * is {@link TaskCall#immutable() immutable}). A failure stops the chain: the tasks after it never run and read as
 * FAILURE, naming the failed task. The chain's handle is its last task's. A group followed by more work becomes a
 * {@link Chord}. Build with {@link Workflows#chain}.
 *
 * @param <R> the result type of its last element
 */
public final class Chain<R> implements Signature<R> {

    private final List<Signature<?>> items;
    private final List<Signature<?>> links;
    private final List<Signature<?>> errorLinks;

    Chain(List<Signature<?>> items, List<Signature<?>> links, List<Signature<?>> errorLinks) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("A chain needs at least one signature");
        }
        items.forEach(item -> Objects.requireNonNull(item, "a chain's element"));
        this.items = List.copyOf(items);
        this.links = List.copyOf(links);
        this.errorLinks = List.copyOf(errorLinks);
    }

    /** Its elements, in order. */
    public List<Signature<?>> items() {
        return items;
    }

    /** This chain followed by {@code next}, which receives this chain's result. */
    public <N> Chain<N> then(Signature<N> next) {
        List<Signature<?>> all = new ArrayList<>(items);
        all.add(Objects.requireNonNull(next, "next"));
        return new Chain<>(all, links, errorLinks);
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
    public Chain<R> link(Signature<?> callback) {
        return new Chain<>(items, Workflows.plus(links, callback), errorLinks);
    }

    @Override
    public Chain<R> linkError(Signature<?> errorCallback) {
        return new Chain<>(items, links, Workflows.plus(errorLinks, errorCallback));
    }

    @Override
    public String toString() {
        return "chain" + items;
    }
}
