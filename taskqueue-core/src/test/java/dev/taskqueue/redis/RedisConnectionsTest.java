package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.testing.SharedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ByteArrayOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;

/** The shared connection across an outage, on a Redis of its own so that its connections can be counted. */
class RedisConnectionsTest {

    /**
     * Running out of memory reading a large reply is this JVM's trouble: called "Redis is unreachable", it sent an
     * operator who requeued dead letters next to a 100 MB one to a Redis that worked. The Error is raised where a
     * real one is, in Lettuce's decoding of a real reply.
     */
    @Test
    void anErrorWhileReadingAReplyIsNotReportedAsAnOutage() {
        try (RedisConnections connections = RedisConnections.using(SharedRedis.client(), "shared")) {
            connections.await(connections.commands().set(bytes("large"), new byte[1024]), "set");
            ByteArrayOutput<byte[], byte[]> outOfMemory = new ByteArrayOutput<>(ByteArrayCodec.INSTANCE) {
                @Override
                public void set(ByteBuffer bytes) {
                    throw new OutOfMemoryError("Java heap space");
                }
            };
            RedisFuture<byte[]> reply = connections.commands().dispatch(CommandType.GET, outOfMemory,
                    new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(bytes("large")));

            assertThatThrownBy(() -> connections.await(reply, "read a dead letter"))
                    .isInstanceOf(TaskQueueException.class).isNotInstanceOf(BrokerUnavailableException.class)
                    .hasMessage("Could not read a dead letter: this JVM failed while Redis answered "
                            + "(java.lang.OutOfMemoryError: Java heap space); Redis itself is reachable")
                    .hasCauseInstanceOf(OutOfMemoryError.class);
            assertThat(connections.await(connections.commands().ping(), "ping")).isEqualTo("PONG");
        }
    }

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
