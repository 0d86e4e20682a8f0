package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

/** The shared connection across an outage, on a Redis of its own so that its connections can be counted. */
class RedisConnectionsTest {

    @Test
    void aConnectionCutOffByAnOutageIsClosedOnceReplaced() throws Exception {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RedisURI uri = server.uri();
            uri.setTimeout(Duration.ofSeconds(1));
            try (RedisConnections connections = RedisConnections.create(uri)) {
                assertThat(ping(connections)).isEqualTo("PONG");

                server.stop();
                Thread.sleep(1_500); // Lettuce's own reconnection attempts back off meanwhile
                server.restart();
                // Commands fail fast while the old connection waits to reconnect: a new one replaces it.
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> "PONG".equals(ping(connections)));

                RedisClient adminClient = RedisClient.create(uri);
                try (StatefulRedisConnection<String, String> admin = adminClient.connect()) {
                    // Long enough for the replaced connection to have reconnected by itself, had it been left open.
                    Thread.sleep(3_000);
                    long ours = admin.sync().clientList().lines().count() - 1;
                    assertThat(ours).as("connections besides this test's").isEqualTo(1);
                    assertThat(ping(connections)).isEqualTo("PONG");
                }
                finally {
                    adminClient.shutdown();
                }
            }
        }
    }

    private static String ping(RedisConnections connections) {
        return connections.await(connections.commands().ping(), "ping");
    }
}
