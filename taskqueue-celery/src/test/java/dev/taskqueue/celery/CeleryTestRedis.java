package dev.taskqueue.celery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.test.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A database of its own on the shared test Redis (Celery's keys have no prefix, and its channels name the database),
 * emptied when opened: a client on it, the {@link CeleryRedis} under test, and pub/sub subscribers.
 */
final class CeleryTestRedis implements AutoCloseable {

    /** A message heard on a channel. */
    record Heard(String channel, String message) {

        JsonNode envelope() {
            return CeleryJson.MAPPER.readTree(message);
        }

        /** The base64 JSON body, decoded by hand rather than by the code under test. */
        JsonNode body() {
            return CeleryJson.MAPPER.readTree(new String(Base64.getDecoder().decode(envelope().get("body").asString()),
                    StandardCharsets.UTF_8));
        }
    }

    final int database;
    final RedisClient client;
    final CeleryRedis redis;
    final RedisCommands<String, String> sync;
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    private final BlockingQueue<Heard> heard = new LinkedBlockingQueue<>();

    CeleryTestRedis(int database) {
        this.database = database;
        this.client = RedisClient.create(RedisURI.builder(TestRedis.uri()).withDatabase(database).build());
        this.sync = client.connect().sync();
        sync.flushdb();
        this.redis = new CeleryRedis(() -> client, database, Duration.ofSeconds(5));
        this.subscriber = client.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                heard.add(new Heard(channel, message));
            }
        });
    }

    /** Listens, as Flower does, with {@code PSUBSCRIBE}. */
    void psubscribe(String pattern) {
        subscriber.sync().psubscribe(pattern);
    }

    /** The next message heard, or null after the wait. */
    @Nullable Heard next(Duration wait) throws InterruptedException {
        return heard.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message heard on this channel (others are skipped), or null after the wait. */
    @Nullable Heard next(String channel, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            Heard next = heard.poll(left, TimeUnit.NANOSECONDS);
            if (next != null && next.channel().equals(channel)) {
                return next;
            }
        }
        return null;
    }

    /** A {@code redis://} URL of this database, for Python's Celery. */
    String url() {
        return "redis://" + TestRedis.host() + ":" + TestRedis.port() + "/" + database;
    }

    @Override
    public void close() {
        subscriber.close();
        redis.close();
        sync.getStatefulConnection().close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
