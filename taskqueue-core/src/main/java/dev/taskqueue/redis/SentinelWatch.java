package dev.taskqueue.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on every sentinel for the switch of one master ({@code SUBSCRIBE +switch-master}; each message is
 * {@code <master name> <old ip> <old port> <new ip> <new port>}) and reports it.
 * <p>
 * A client connected through Sentinel asks the sentinels for the master only when it (re)connects. After a
 * {@code SENTINEL FAILOVER} the old master is still up: it keeps serving the connections it has, and accepting their
 * writes, until Sentinel turns it into a replica some 10 s later, and its resync then erases those writes. Closing
 * the connections when the switch is announced sends them to the new master at once. Each sentinel announces the
 * switch when it adopts it: a connection reopened through one that had not yet may land on the old master again,
 * until that one's announcement closes it once more.
 */
final class SentinelWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SentinelWatch.class);

    private static final String CHANNEL = "+switch-master";

    private final List<StatefulRedisPubSubConnection<String, String>> connections = new ArrayList<>();
    private boolean closed;

    /**
     * Subscribes on each sentinel of {@code uri}, in the background and with {@code client}'s resources and options,
     * and calls {@code onSwitch} on Lettuce's I/O thread whenever one announces the switch of {@code uri}'s master.
     */
    SentinelWatch(RedisClient client, RedisURI uri, Runnable onSwitch) {
        String prefix = uri.getSentinelMasterId() + " ";
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (CHANNEL.equals(channel) && message.startsWith(prefix)) {
                    log.info("Sentinel switched master {}: reconnecting to the new one", message);
                    onSwitch.run();
                }
            }
        };
        for (RedisURI sentinel : uri.getSentinels()) {
            client.connectPubSubAsync(StringCodec.UTF8, sentinel).thenCompose(connection -> {
                synchronized (connections) {
                    if (closed) {
                        connection.closeAsync();
                        return CompletableFuture.completedFuture(null);
                    }
                    connections.add(connection); // Lettuce subscribes again by itself after a lost connection
                }
                connection.addListener(listener);
                return connection.async().subscribe(CHANNEL);
            }).whenComplete((subscribed, failure) -> {
                if (failure != null) {
                    log.warn("Could not listen to sentinel {}:{} for master switches ({}); the others still tell",
                            sentinel.getHost(), sentinel.getPort(), failure.getMessage());
                }
            });
        }
    }

    @Override
    public void close() {
        synchronized (connections) {
            closed = true;
            connections.forEach(StatefulRedisPubSubConnection::closeAsync);
            connections.clear();
        }
    }
}
