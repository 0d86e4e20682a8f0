package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.testing.SharedRedis;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.ByteArrayOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    /**
     * Lettuce waits for a connection without a bound of its own: one asked of a client being shut down never came
     * (Spring's connection factory, stopped while a worker opened its blocking connection, left the worker's fetcher
     * waiting for good, no task claimed, no error logged). Here the server never answers the handshake.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConnectionThatDoesNotComeIsGivenUpAfterTheConnectTimeoutAndAGrace() throws Exception {
        // Never accepted: the kernel completes the connection from the backlog, and no one answers on it.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RedisURI uri = RedisURI.create("redis://127.0.0.1:" + silent.getLocalPort());
            uri.setTimeout(Duration.ofSeconds(60)); // the handshake's own bound: longer than ours
            RedisClient client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder()
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build()).build());
            try {
                RedisConnections connections = RedisConnections.using(client, "silent");

                assertThatThrownBy(connections::dedicated).isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("Could not open a connection for blocking reads")
                        .hasMessageContaining("no connection: none within 3000 ms");
                assertThatThrownBy(connections::pubSub).isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("no connection: none within 3000 ms");
            }
            finally {
                client.shutdownAsync();
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aConnectionOfAClientThatWasReplacedMeanwhileIsGivenUpAtOnce() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RedisClient old = RedisClient.create("redis://127.0.0.1:" + silent.getLocalPort()); // as above
            AtomicReference<AbstractRedisClient> current = new AtomicReference<>(old);
            RedisConnections connections = RedisConnections.using(current::get, "replaced");
            try {
                CompletableFuture<Object> opening = CompletableFuture.supplyAsync(connections::dedicated);
                Thread.sleep(300); // its connect is under way, on the old client
                current.set(SharedRedis.client()); // as Spring's connection factory, stopped and started again

                assertThatThrownBy(() -> opening.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(
                        BrokerUnavailableException.class).hasMessageContaining("its client was replaced or stopped");
                StatefulConnection<byte[], byte[]> fresh = connections.dedicated(); // on the current client
                assertThat(RedisConnections.async(fresh).ping().get(5, TimeUnit.SECONDS)).isEqualTo("PONG");
                fresh.close();
            }
            finally {
                old.shutdownAsync();
            }
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
