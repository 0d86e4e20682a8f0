package dev.taskqueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Builds workflows, as Celery's canvas does: {@code chain}, {@code group} and {@code chord}. Import statically.
 *
 * <pre>{@code
 * import static dev.taskqueue.Workflows.*;
 *
 * taskClient.submit(chain(TaskCall.of(Images::fetch, url), TaskCall.partial(Images::resize, 200)));
 * GroupHandle<Integer> sizes = taskClient.submit(group(ids.stream().map(id -> TaskCall.of(Files::size, id)).toList()));
 * TaskHandle<Long> total = taskClient.submit(chord(group(parts), TaskCall.partial(Stats::sum)));
 * }</pre>
 */
public final class Workflows {

    private Workflows() {
    }

    /** {@code first}, then {@code second} with {@code first}'s result. */
    public static <R> Chain<R> chain(Signature<?> first, Signature<R> second) {
        return new Chain<>(List.of(first, second), List.of(), List.of());
    }

    /** Three signatures, one after the other, each result feeding the next. */
    public static <R> Chain<R> chain(Signature<?> first, Signature<?> second, Signature<R> third) {
        return new Chain<>(List.of(first, second, third), List.of(), List.of());
    }

    /** Four signatures, one after the other, each result feeding the next. */
    public static <R> Chain<R> chain(Signature<?> first, Signature<?> second, Signature<?> third,
            Signature<R> fourth) {
        return new Chain<>(List.of(first, second, third, fourth), List.of(), List.of());
    }

    /** Any number of signatures, one after the other, each result feeding the next. */
    public static Chain<Object> chain(Signature<?>... signatures) {
        return new Chain<>(Arrays.asList(signatures.clone()), List.of(), List.of());
    }

    /** Any number of signatures, one after the other, each result feeding the next. */
    public static Chain<Object> chain(List<? extends Signature<?>> signatures) {
        return new Chain<>(new ArrayList<>(signatures), List.of(), List.of());
    }

    /** Signatures run in parallel; the group's result lists theirs in this order. */
    @SafeVarargs
    public static <T> Group<T> group(Signature<? extends T>... members) {
        return new Group<>(Arrays.asList(members.clone()), null, List.of(), List.of());
    }

    /** Signatures run in parallel; the group's result lists theirs in this order. */
    public static <T> Group<T> group(Collection<? extends Signature<? extends T>> members) {
        return new Group<>(new ArrayList<>(members), null, List.of(), List.of());
    }

    /** {@code header} in parallel, then {@code body} exactly once with all their results, in order. */
    public static <R> Chord<R> chord(Group<?> header, Signature<R> body) {
        return new Chord<>(header, body, false, List.of(), List.of());
    }

    static List<Signature<?>> plus(List<Signature<?>> list, Signature<?> signature) {
        List<Signature<?>> copy = new ArrayList<>(list);
        copy.add(Objects.requireNonNull(signature, "callback"));
        return copy;
    }
}
