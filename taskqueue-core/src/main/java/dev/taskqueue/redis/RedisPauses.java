package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The queues this instance knows to be paused, shared by its {@link RedisQueueAdmin} (which pauses and resumes) and
 * its {@link RedisBroker} (whose blocking reads leave paused queues out). A pause is the flag {@code {p:q}:paused},
 * which every claim script reads; it is also announced on {@code {p}:control} ({@code PUBLISH {p}:control "pause q"},
 * {@code "resume q"}), to which a worker's broker listens from its first declare, so that a paused queue leaves its
 * blocking reads at once rather than at the next claim.
 */
final class RedisPauses implements AutoCloseable {

    private final RedisConnections redis;
    private final RedisKeys keys;
    /** Queues seen paused by the last claims or announced since; the blocking read leaves them out. */
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    /** Counts pauses and resumes seen; a claim's view of the flags is older than any counted after it was sent. */
    private final AtomicLong changes = new AtomicLong();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private RedisSubscriptions.@Nullable Subscription subscription; // guarded by paused

    RedisPauses(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Whether the queue was seen paused last. */
    boolean isPaused(String queue) {
        return paused.contains(queue);
    }

    /** Calls {@code listener} after each pause or resume seen (in this instance, or announced by another). */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Records a pause or resume made here, at once, and announces it to every instance. */
    void changed(String queue, boolean nowPaused) {
        see(queue, nowPaused); // at once here; other instances when the announcement reaches them
        String message = (nowPaused ? "pause " : "resume ") + queue;
        redis.await(redis.commands().publish(bytes(keys.controlChannel()), bytes(message)), "announce " + message);
    }

    /** The number of pauses and resumes seen so far: read before a claim is sent, for {@link #claimed}. */
    long changes() {
        return changes.get();
    }

    /**
     * Takes what a claim read of its queues' flags, unless a pause or resume was seen since it was sent
     * ({@code changesBefore} is {@link #changes()} then): that one is newer, and is kept.
     */
    void claimed(Collection<String> queues, Collection<String> nowPaused, long changesBefore) {
        if (changes.get() == changesBefore) {
            paused.removeAll(queues);
            paused.addAll(nowPaused);
        }
    }

    /** Listens to the pauses and resumes every instance announces, from now on (once: later calls do nothing). */
    void listen() {
        synchronized (paused) {
            if (subscription == null) {
                subscription = redis.subscriptions().subscribe(keys.controlChannel(), message -> {
                    String[] parts = string(message).split(" ", 2);
                    if (parts.length == 2) {
                        see(parts[1], parts[0].equals("pause"));
                    }
                });
            }
        }
    }

    private void see(String queue, boolean nowPaused) {
        changes.incrementAndGet();
        if (nowPaused) {
            paused.add(queue);
        }
        else {
            paused.remove(queue);
        }
        listeners.forEach(Runnable::run);
    }

    @Override
    public void close() {
        synchronized (paused) {
            if (subscription != null) {
                subscription.close();
                subscription = null;
            }
        }
    }
}
