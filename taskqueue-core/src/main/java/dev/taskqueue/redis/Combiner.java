package dev.taskqueue.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/**
 * Calls from many threads for the same key (a queue's submits, a chord's reports), sent together (one script, or one
 * command each in one write), the way the acker batches outcomes:
 * <ol>
 * <li>a call for a key with nothing in flight is sent at once: a lone call waits for nothing;</li>
 * <li>while batches of that key are in flight, fewer than the combiner allows, a call leaves at once with another
 * (the second to wait takes both), or else with the next reply: a batch of one beside others in flight cost a write,
 * a wake-up of Lettuce's event loop and a read by Redis of its own, and a third of single submits from 8 threads went
 * so;</li>
 * <li>while that many are in flight, the calls for that key wait together;</li>
 * <li>when a batch is answered, they leave together (up to {@link #MAX_BATCH} of them and {@link #MAX_BYTES}), sent
 * from the thread that took the reply (Lettuce's event loop: no thread of our own, no hand-off), before the callers of
 * the answered batch are woken.</li>
 * </ol>
 * Each caller gets its own reply, as if it had called alone (and waits for it, or not: a chord member does not); the
 * {@link Sender} says whether a failure is one caller's or the whole batch's. A key's lane is dropped once idle (a
 * chord's ends with the chord); a call that finds a lane just dropped is sent on it alone, which costs nothing but a
 * missed combination.
 *
 * @param <M> what one caller sends
 * @param <R> what one caller gets back
 */
final class Combiner<M, R> {

    /** Sends the messages of one key together; returns each message's own reply, in order. */
    interface Sender<M, R> {
        List<CompletableFuture<R>> send(String key, List<M> messages);

        /**
         * A sender whose messages go in one call (one script) that completes with one result per message, in order:
         * a failure of the call is every message's, a result missing from its reply only its message's.
         */
        static <M, R> Sender<M, R> inOneCall(BiFunction<String, List<M>, CompletableFuture<List<R>>> call) {
            return (key, messages) -> {
                CompletableFuture<List<R>> reply = call.apply(key, messages);
                List<CompletableFuture<R>> each = new ArrayList<>(messages.size());
                for (int i = 0; i < messages.size(); i++) {
                    int position = i;
                    each.add(reply.thenApply(results -> results.get(position)));
                }
                return each;
            };
        }
    }

    /** Calls in one batch at most: one script must not hold Redis for long, nor one write the connection. */
    static final int MAX_BATCH = 500;

    /** Their messages' sizes in one batch at most (one call, if larger). */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    private final Sender<M, R> sender;
    private final ToLongFunction<M> bytes;
    private final int maxInFlight;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * @param bytes a message's size, for {@link #MAX_BYTES}
     * @param maxInFlight batches of one key in flight at most: more keep Redis and the callers busy at once (fewer
     *        combined per batch), fewer combine more per batch
     */
    Combiner(Sender<M, R> sender, ToLongFunction<M> bytes, int maxInFlight) {
        this.sender = sender;
        this.bytes = bytes;
        this.maxInFlight = maxInFlight;
    }

    /** Sends one message for {@code key}, with the others sent for it meanwhile; completes with its own result. */
    CompletableFuture<R> submit(String key, M message) {
        return lanes.computeIfAbsent(key, Lane::new).submit(message);
    }

    private record Waiting<M, R>(M message, CompletableFuture<R> reply) {
    }

    /** One key's calls: {@code maxInFlight} batches in flight at most, the others waiting for a reply. */
    private final class Lane {

        private final String key;
        private List<Waiting<M, R>> waiting = new ArrayList<>();
        private int inFlight;

        Lane(String key) {
            this.key = key;
        }

        CompletableFuture<R> submit(M message) {
            Waiting<M, R> call = new Waiting<>(message, new CompletableFuture<>());
            List<Waiting<M, R>> batch;
            synchronized (this) {
                waiting.add(call);
                batch = inFlight < maxInFlight && (inFlight == 0 || waiting.size() > 1) ? take() : null;
            }
            if (batch != null) {
                send(batch);
            }
            return call.reply();
        }

        /**
         * The next batch, now in flight: the first waiting, up to {@link #MAX_BATCH} of them and {@link #MAX_BYTES} (at
         * least one). Callers that gave up waiting meanwhile are left out. Holding the lane's lock.
         */
        private List<Waiting<M, R>> take() {
            inFlight++;
            waiting.removeIf(w -> w.reply().isDone()); // cancelled by its caller's timeout: not sent
            int count = 0;
            long size = 0;
            while (count < waiting.size() && count < MAX_BATCH) {
                size += bytes.applyAsLong(waiting.get(count).message());
                if (count > 0 && size > MAX_BYTES) {
                    break;
                }
                count++;
            }
            List<Waiting<M, R>> batch = new ArrayList<>(waiting.subList(0, count));
            waiting = new ArrayList<>(waiting.subList(count, waiting.size()));
            return batch;
        }

        private void send(List<Waiting<M, R>> batch) {
            if (batch.isEmpty()) { // every caller of it gave up
                replied(batch, List.of());
                return;
            }
            List<CompletableFuture<R>> replies;
            try {
                replies = sender.send(key, batch.stream().map(Waiting::message).toList());
            }
            catch (Throwable notSent) { // no connection, or this JVM failed building it: nothing was sent
                failAll(batch, notSent);
                return;
            }
            if (replies.size() != batch.size()) { // a sender's bug: a caller without a reply would wait out its timeout
                failAll(batch, new IllegalStateException(replies.size() + " replies for " + batch.size() + " calls"));
                return;
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                    .whenComplete((all, failure) -> replied(batch, replies));
        }

        /** Every caller of the batch fails with {@code error}. */
        private void failAll(List<Waiting<M, R>> batch, Throwable error) {
            replied(batch, batch.stream().map(w -> CompletableFuture.<R>failedFuture(error)).toList());
        }

        /** A batch is answered: what waits leaves first, then the batch's callers are woken. */
        private void replied(List<Waiting<M, R>> batch, List<CompletableFuture<R>> replies) {
            try {
                List<Waiting<M, R>> next;
                synchronized (this) {
                    inFlight--;
                    next = waiting.isEmpty() ? null : take();
                    if (next == null && inFlight == 0) {
                        lanes.remove(key, this);
                    }
                }
                if (next != null) {
                    send(next);
                }
            }
            finally {
                answer(batch, replies); // whatever befell the next batch, this one's callers hear
            }
        }

        /** Each caller gets its own reply, done by now: its result, or its failure. */
        private void answer(List<Waiting<M, R>> batch, List<CompletableFuture<R>> replies) {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<R> reply = batch.get(i).reply();
                replies.get(i).whenComplete((result, failure) -> {
                    if (failure == null) {
                        reply.complete(result);
                    }
                    else {
                        reply.completeExceptionally(failure instanceof CompletionException wrapped
                                && wrapped.getCause() != null ? wrapped.getCause() : failure);
                    }
                });
            }
        }
    }
}
