package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every channel on one publish/subscribe connection, which survives a cut connection and a replaced client, each
 * message delivered once. On a Redis of its own, so that its connections can be counted and killed.
 */
class RedisSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private LocalRedisServer server;
    private final AtomicReference<RedisClient> client = new AtomicReference<>();
    private RedisConnections connections;
    private StatefulRedisConnection<String, String> admin;

    @BeforeEach
    void start() {
        server = LocalRedisServer.start();
        client.set(RedisClient.create(server.uri()));
        connections = RedisConnections.using(client::get, "test");
        admin = RedisClient.create(server.uri()).connect();
    }

    @AfterEach
    void stop() {
        connections.close();
        client.get().shutdown();
        admin.close();
        server.close();
    }

    @Test
    void everyChannelSharesOneConnectionUntilTheLastListenerLeaves() {
        List<String> received = new CopyOnWriteArrayList<>();
        RedisSubscriptions.Subscription first = connections.subscriptions().subscribe("a", m -> received.add("a1"));
        RedisSubscriptions.Subscription second = connections.subscriptions().subscribe("a", m -> received.add("a2"));
        RedisSubscriptions.Subscription third = connections.subscriptions().subscribe("b", m -> received.add("b"));

        assertThat(pubSubConnections()).isEqualTo(1);
        redis().publish("a", "x");
        redis().publish("b", "x");
        await().atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received).containsExactlyInAnyOrder("a1", "a2", "b");

        first.close();
        third.close();
        await().atMost(WAIT).until(() -> redis().pubsubNumsub("b").get("b") == 0);
        received.clear();
        redis().publish("a", "y");
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received).containsExactly("a2");

        second.close();
        await().atMost(WAIT).until(() -> pubSubConnections() == 0);
    }

    @Test
    void aCutConnectionSubscribesAgainByItselfAndDeliversOnce() {
        List<String> received = new CopyOnWriteArrayList<>();
        connections.subscriptions().subscribe("a", m -> received.add(new String(m)));

        redis().clientKill(KillArgs.Builder.typePubsub());
        connections.subscriptions().reopenIfClosed(); // as a heartbeat during the cut would: must not add a second

        await().atMost(WAIT).until(() -> redis().pubsubNumsub("a").get("a") >= 1);
        await().atMost(WAIT).until(() -> pubSubConnections() == 1); // the cut one, if replaced, is closing
        redis().publish("a", "x");
        redis().publish("a", "end");
        await().atMost(WAIT).until(() -> received.contains("end"));
        assertThat(received).containsExactly("x", "end");
    }

    @Test
    void aReplacedClientIsSubscribedAgainOnceAsked() {
        List<String> received = new CopyOnWriteArrayList<>();
        connections.subscriptions().subscribe("a", m -> received.add("a"));
        connections.subscriptions().subscribe("b", m -> received.add("b"));

        // What Spring's LettuceConnectionFactory does when it is stopped and started: a new client, the old one gone.
        RedisClient old = client.getAndSet(RedisClient.create(server.uri()));
        old.shutdown();
        await().atMost(WAIT).until(() -> pubSubConnections() == 0);

        connections.subscriptions().reopenIfClosed();

        assertThat(pubSubConnections()).isEqualTo(1);
        redis().publish("a", "x");
        redis().publish("b", "x");
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).containsExactlyInAnyOrder("a", "b");
    }

    private RedisCommands<String, String> redis() {
        return admin.sync();
    }

    private long pubSubConnections() {
        return redis().clientList().lines().filter(line -> !line.contains(" sub=0 ") || line.contains(" psub=1 "))
                .count();
    }
}
