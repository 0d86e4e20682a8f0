package dev.taskqueue.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;

/**
 * Calls from many threads for the same key (a queue's submits, a chord's reports), combined into one script, the way
 * the acker batches outcomes:
 * <ol>
 * <li>a call for a key with fewer scripts in flight than the combiner allows is sent at once: a lone call waits for
 * nothing;</li>
 * <li>while that many are in flight, the calls for that key wait together;</li>
 * <li>when a reply arrives, they leave in one script (up to {@link #MAX_BATCH} of them and {@link #MAX_BYTES}),
 * sent from the thread that took the reply (Lettuce's event loop: no thread of our own, no hand-off), before the
 * callers of the reply are woken.</li>
 * </ol>
 * Each caller gets its own part of the reply and waits for it on its own thread, as if it had called alone. A failure
 * of the script is every combined caller's. A key's lane is dropped once idle (a chord's ends with the chord); a call
 * that finds a lane just dropped is sent on it alone, which costs nothing but a missed combination.
 *
 * @param <M> what one caller sends
 * @param <R> what one caller gets back
 */
final class Combiner<M, R> {

    /** Sends the messages of one key in one script; completes with one result per message, in order. */
    interface Sender<M, R> {
        CompletableFuture<List<R>> send(String key, List<M> messages);
    }

    /** Calls in one script at most: one script must not hold Redis for long. */
    static final int MAX_BATCH = 500;

    /** Their messages' sizes in one script at most (one call, if larger). */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    private final Sender<M, R> sender;
    private final ToLongFunction<M> bytes;
    private final int maxInFlight;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * @param bytes a message's size, for {@link #MAX_BYTES}
     * @param maxInFlight scripts of one key in flight at most: more keep Redis and the callers busy at once (fewer
     *        combined per script), fewer combine more per script
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

    /** One key's calls: {@code maxInFlight} scripts in flight at most, the others waiting for a reply. */
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
                batch = inFlight < maxInFlight ? take() : null;
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
                replied(batch, null, null);
                return;
            }
            CompletableFuture<List<R>> reply;
            try {
                reply = sender.send(key, batch.stream().map(Waiting::message).toList());
            }
            catch (Throwable notSent) { // no connection, or this JVM failed building it: nothing was sent
                replied(batch, null, notSent);
                return;
            }
            reply.whenComplete((results, failure) -> replied(batch, results, failure));
        }

        /** A batch is answered: what waits leaves first, then the batch's callers are woken. */
        private void replied(List<Waiting<M, R>> batch, @Nullable List<R> results, @Nullable Throwable failure) {
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
                answer(batch, results, failure); // whatever befell the next batch, this one's callers hear
            }
        }

        /** Each caller gets its result, or the failure; a result missing from the reply fails only its caller. */
        private void answer(List<Waiting<M, R>> batch, @Nullable List<R> results, @Nullable Throwable failure) {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<R> reply = batch.get(i).reply();
                try {
                    if (failure != null) {
                        reply.completeExceptionally(failure);
                    }
                    else {
                        reply.complete(Objects.requireNonNull(results).get(i));
                    }
                }
                catch (RuntimeException unreadable) { // a reply shorter than the batch: not our own script's
                    reply.completeExceptionally(unreadable);
                }
            }
        }
    }
}
