package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every channel taskqueue listens to (task results, revocations, queue pauses, tasks due earlier), on one
 * publish/subscribe connection.
 * <p>
 * Lettuce subscribes again by itself after a lost connection. It cannot when its client is replaced: Spring's
 * {@code LettuceConnectionFactory}, stopped and started again, closes every connection of its old client. Those that
 * rely on notifications (the worker at each heartbeat, a waiter for a result) call {@link #reopenIfClosed()}, which
 * opens a connection from the current client and subscribes every channel again. The connection is closed when its
 * last listener leaves.
 */
final class RedisSubscriptions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSubscriptions.class);

    private final RedisConnections redis;
    /** Listeners by channel; a channel is subscribed while it has one. */
    private final Map<String, List<Consumer<byte[]>>> listeners = new ConcurrentHashMap<>();
    private volatile @Nullable StatefulRedisPubSubConnection<byte[], byte[]> connection;

    RedisSubscriptions(RedisConnections redis) {
        this.redis = redis;
    }

    /**
     * Calls {@code listener} with every message published on {@code channel}, on Lettuce's I/O thread (it must not
     * wait for Redis), until the returned handle is closed.
     *
     * @throws dev.taskqueue.BrokerUnavailableException if Redis cannot be reached to subscribe
     */
    Subscription subscribe(String channel, Consumer<byte[]> listener) {
        synchronized (this) {
            List<Consumer<byte[]>> channelListeners = listeners.computeIfAbsent(channel,
                    c -> new CopyOnWriteArrayList<>());
            channelListeners.add(listener);
            try {
                StatefulRedisPubSubConnection<byte[], byte[]> current = connection;
                if (current == null || !current.isOpen()) {
                    open(); // every channel, this one included
                }
                else if (channelListeners.size() == 1) {
                    redis.await(current.async().subscribe(bytes(channel)), "subscribe to " + channel);
                }
            }
            catch (RuntimeException ex) {
                leave(channel, listener);
                throw ex;
            }
        }
        return () -> {
            synchronized (this) {
                leave(channel, listener);
            }
        };
    }

    /**
     * Opens the connection again and subscribes every channel if the connection was closed (its client replaced) or
     * is still cut off; a no-op while it is open. Failures are logged: the next call tries again.
     */
    void reopenIfClosed() {
        StatefulRedisPubSubConnection<byte[], byte[]> current = connection;
        if (listeners.isEmpty() || current != null && current.isOpen()) {
            return;
        }
        synchronized (this) {
            current = connection;
            if (listeners.isEmpty() || current != null && current.isOpen()) {
                return;
            }
            try {
                open();
                log.info("Subscribed again to taskqueue's notifications ({} channels)", listeners.size());
            }
            catch (RuntimeException ex) {
                log.debug("Could not subscribe again to taskqueue's notifications; will try again", ex);
            }
        }
    }

    /** Opens a connection on which every channel is subscribed, then closes the one it replaces. */
    private void open() {
        StatefulRedisPubSubConnection<byte[], byte[]> fresh = redis.pubSub();
        fresh.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                deliver(string(channel), message);
            }
        });
        try {
            byte[][] channels = listeners.keySet().stream().map(RedisBroker::bytes).toArray(byte[][]::new);
            redis.await(fresh.async().subscribe(channels), "subscribe to taskqueue's notifications");
        }
        catch (RuntimeException ex) {
            fresh.closeAsync();
            throw ex;
        }
        StatefulRedisPubSubConnection<byte[], byte[]> replaced = connection;
        connection = fresh;
        RedisConnections.closeIfOpen(replaced); // cut off, it would otherwise reconnect and deliver everything twice
    }

    private void deliver(String channel, byte[] message) {
        List<Consumer<byte[]>> channelListeners = listeners.get(channel);
        if (channelListeners == null) {
            return;
        }
        for (Consumer<byte[]> listener : channelListeners) {
            try {
                listener.accept(message);
            }
            catch (RuntimeException ex) {
                log.warn("A listener to {} failed", channel, ex);
            }
        }
    }

    /** Removes a listener; unsubscribes its channel if it was the last, closes the connection if none is left. */
    private void leave(String channel, Consumer<byte[]> listener) {
        List<Consumer<byte[]>> channelListeners = listeners.get(channel);
        if (channelListeners == null || !channelListeners.remove(listener) || !channelListeners.isEmpty()) {
            return;
        }
        listeners.remove(channel);
        StatefulRedisPubSubConnection<byte[], byte[]> current = connection;
        if (current == null) {
            return;
        }
        if (listeners.isEmpty()) {
            connection = null;
            RedisConnections.closeIfOpen(current);
        }
        else if (current.isOpen()) {
            current.async().unsubscribe(bytes(channel)); // not awaited: a message that still comes finds no listener
        }
    }

    /** A listener's place on a channel. */
    interface Subscription extends AutoCloseable {

        /** Stops the listener's messages. */
        @Override
        void close();
    }

    @Override
    public synchronized void close() {
        listeners.clear();
        StatefulRedisPubSubConnection<byte[], byte[]> current = connection;
        connection = null;
        if (current != null) {
            RedisConnections.closeIfOpen(current);
        }
    }
}
