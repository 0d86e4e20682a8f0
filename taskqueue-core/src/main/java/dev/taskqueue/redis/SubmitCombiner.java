package dev.taskqueue.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import dev.taskqueue.broker.OutgoingMessage;
import org.jspecify.annotations.Nullable;

/**
 * Single submits from many threads, combined per queue, the way the acker batches outcomes:
 * <ol>
 * <li>a submit to a queue with no submit script in flight is sent at once: a lone submit waits for nothing;</li>
 * <li>while one is in flight, the single submits to that queue wait together;</li>
 * <li>when its reply arrives, they leave in one script (up to {@code maxBatch} messages and about
 * {@code maxBytes} of bodies), sent from the thread that
 * took the reply (Lettuce's event loop: no thread of our own, no hand-off), before the callers of the reply are
 * woken.</li>
 * </ol>
 * Each caller gets its own message's part of the reply, and waits for it as before: a submit returns only once Redis
 * has its task. A failure of the script is every combined caller's: each then decides by itself whether sending its
 * message again could store it twice ({@link SubmitRetry}).
 */
final class SubmitCombiner {

    /** Sends messages of one queue in one script; its reply holds two elements per message, in order. */
    private final BiFunction<String, List<OutgoingMessage>, CompletableFuture<List<Object>>> send;
    private final int maxBatch;
    private final long maxBytes;
    private final int maxInFlight;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    SubmitCombiner(BiFunction<String, List<OutgoingMessage>, CompletableFuture<List<Object>>> send, int maxBatch,
            long maxBytes, int maxInFlight) {
        this.send = send;
        this.maxBatch = maxBatch;
        this.maxBytes = maxBytes;
        this.maxInFlight = maxInFlight;
    }

    /** Stores one message, with others to its queue sent meanwhile; completes with its two reply elements. */
    CompletableFuture<List<Object>> submit(OutgoingMessage message) {
        return lanes.computeIfAbsent(message.queue(), Lane::new).submit(message);
    }

    private record Waiting(OutgoingMessage message, CompletableFuture<List<Object>> reply) {
    }

    /** One queue's submits: at most {@code maxInFlight} scripts in flight, the others waiting for a reply. */
    private final class Lane {

        private final String queue;
        private List<Waiting> waiting = new ArrayList<>();
        private int inFlight;

        Lane(String queue) {
            this.queue = queue;
        }

        CompletableFuture<List<Object>> submit(OutgoingMessage message) {
            Waiting submit = new Waiting(message, new CompletableFuture<>());
            List<Waiting> batch;
            synchronized (this) {
                waiting.add(submit);
                batch = inFlight < maxInFlight ? take() : null;
            }
            if (batch != null) {
                send(batch);
            }
            return submit.reply();
        }

        /**
         * The next batch, counted in flight: the first waiting, up to {@code maxBatch} of them and {@code maxBytes} of
         * bodies (at least one). Callers that gave up waiting meanwhile are left out. Holding the lane's lock.
         */
        private List<Waiting> take() {
            inFlight++;
            waiting.removeIf(w -> w.reply().isDone()); // cancelled by its caller's timeout: not sent
            int count = 0;
            long bytes = 0;
            while (count < waiting.size() && count < maxBatch
                    && (count == 0 || bytes + waiting.get(count).message().body().length <= maxBytes)) {
                bytes += waiting.get(count).message().body().length;
                count++;
            }
            List<Waiting> batch = new ArrayList<>(waiting.subList(0, count));
            waiting = new ArrayList<>(waiting.subList(count, waiting.size()));
            return batch;
        }

        private void send(List<Waiting> batch) {
            if (batch.isEmpty()) { // every caller of it gave up
                replied(batch, null, null);
                return;
            }
            CompletableFuture<List<Object>> reply;
            try {
                reply = SubmitCombiner.this.send.apply(queue, batch.stream().map(Waiting::message).toList());
            }
            catch (Throwable notSent) { // no connection, or this JVM failed building it: nothing was sent
                replied(batch, null, notSent);
                return;
            }
            reply.whenComplete((stored, failure) -> replied(batch, stored, failure));
        }

        /** A batch is answered: what waits leaves first, then the batch's callers are woken. */
        private void replied(List<Waiting> batch, @Nullable List<Object> stored, @Nullable Throwable failure) {
            List<Waiting> next;
            synchronized (this) {
                inFlight--;
                next = !waiting.isEmpty() ? take() : null;
            }
            if (next != null) {
                send(next);
            }
            answer(batch, stored, failure);
        }

        /** Each caller gets its part of the reply, or the failure; one that cannot be read fails only its caller. */
        private static void answer(List<Waiting> batch, @Nullable List<Object> stored, @Nullable Throwable failure) {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<List<Object>> reply = batch.get(i).reply();
                try {
                    if (failure != null) {
                        reply.completeExceptionally(failure);
                    }
                    else {
                        List<Object> all = java.util.Objects.requireNonNull(stored);
                        reply.complete(List.of(all.get(2 * i), all.get(2 * i + 1)));
                    }
                }
                catch (RuntimeException unreadable) { // a reply shorter than the batch: not Redis's own script
                    reply.completeExceptionally(unreadable);
                }
            }
        }
    }
}
