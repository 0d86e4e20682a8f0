package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.taskqueue.ReplicationException;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.redis.RedisStores.Durability;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

/** With replica acknowledgement, a submit returns only once the replicas have the task (WAIT). */
class ReplicaDurabilityIT {

    private static OutgoingMessage message(String id) {
        return new OutgoingMessage(id, "t", "default", 0, "{\"task\":\"t\",\"args\":[]}".getBytes(
                StandardCharsets.UTF_8), 0, null, false, 60_000, null, null);
    }

    @Test
    void aSubmitReturnsOnceAReplicaHasTheTask() {
        try (LocalRedisServer primary = LocalRedisServer.start();
                LocalRedisServer replica = LocalRedisServer.start(List.of("--replicaof", "127.0.0.1",
                        Integer.toString(primary.port())));
                RedisConnections connections = RedisConnections.create(primary.uri())) {
            RedisClient replicaClient = RedisClient.create(replica.uri());
            try {
                var onReplica = replicaClient.connect().sync(); // one connection for the polls (closed by shutdown)
                await().atMost(Duration.ofSeconds(20)).until(() -> onReplica.info("replication")
                        .contains("master_link_status:up"));
                RedisStores stores = new RedisStores(connections, "taskqueue",
                        RedisStores.Options.DEFAULTS.withDurability(new Durability(1, Duration.ofSeconds(5))));
                RedisBroker broker = stores.broker();

                assertThat(broker.submit(List.of(message("replicated"))))
                        .containsExactly(new SubmitResult(SubmitResult.Outcome.ACCEPTED, "replicated"));
                assertThat(onReplica.xlen("{taskqueue:default}:s:0")).isEqualTo(1);
                stores.close();
            }
            finally {
                replicaClient.shutdown();
            }
        }
    }

    @Test
    void aSubmitThatNoReplicaConfirmedSaysSo() {
        try (LocalRedisServer alone = LocalRedisServer.start();
                RedisConnections connections = RedisConnections.create(alone.uri())) {
            RedisStores stores = new RedisStores(connections, "taskqueue",
                    RedisStores.Options.DEFAULTS.withDurability(new Durability(1, Duration.ofMillis(200))));
            RedisBroker broker = stores.broker();

            assertThatThrownBy(() -> broker.submit(List.of(message("unreplicated"))))
                    .isInstanceOf(ReplicationException.class)
                    .hasMessageContaining("only 0 of 1 replica(s) confirmed it within 200 ms")
                    .hasMessageContaining("same task id");
            stores.close();
        }
    }
}
