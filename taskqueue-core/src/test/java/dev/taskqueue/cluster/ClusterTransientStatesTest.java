package dev.taskqueue.cluster;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The states in which a real Redis Cluster refuses commands for a time reach the caller as
 * {@link BrokerUnavailableException}, naming the state and what to do.
 */
@Timeout(120)
class ClusterTransientStatesTest {

    private static final int DEFAULT_QUEUE_SLOT = SlotHash.getSlot("{taskqueue:default}");

    @Test
    void aSubmitToASlotThatNoNodeServesSaysTheClusterIsDown() {
        try (LocalRedisCluster cluster = new LocalRedisCluster(1)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uris());
            RedisClient admin = RedisClient.create(cluster.uri(0));
            try (TaskQueueFixture fixture = fixture(client)) {
                fixture.client.submit(TestTasks::add, 1, 2); // the client learns who serves the slot
                admin.connect().sync().clusterDelSlotsRange(Range.create(0, 16383));

                assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("cannot serve this key's hash slot")
                        .hasMessageContaining("(CLUSTERDOWN ")
                        .hasMessageContaining("CLUSTER INFO");
            }
            finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    /**
     * The queue's slot moves to the other node, none of its keys yet: its owner redirects the script there (ASK),
     * where keys of a slot being imported cannot be combined until they have all arrived (TRYAGAIN).
     */
    @Test
    void aSubmitToASlotBeingMigratedSaysToTryAgain() {
        try (LocalRedisCluster cluster = new LocalRedisCluster(2)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uris());
            RedisClient admin = RedisClient.create();
            try (TaskQueueFixture fixture = fixture(client)) {
                RedisCommands<String, String> owner = admin.connect(cluster.uri(0)).sync();
                RedisCommands<String, String> target = admin.connect(cluster.uri(1)).sync();
                if (DEFAULT_QUEUE_SLOT >= 16384 / 2) {
                    RedisCommands<String, String> first = owner;
                    owner = target;
                    target = first;
                }
                target.clusterSetSlotImporting(DEFAULT_QUEUE_SLOT, owner.clusterMyId());
                owner.clusterSetSlotMigrating(DEFAULT_QUEUE_SLOT, target.clusterMyId());

                assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is moving this key's hash slot to another node")
                        .hasMessageContaining("(TRYAGAIN ");
            }
            finally {
                admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    private static TaskQueueFixture fixture(RedisClusterClient client) {
        return new TaskQueueFixture(RedisConnections.using(client, "cluster"),
                connections -> new RedisBroker(connections, TaskQueueFixture.PREFIX,
                        RedisBroker.DeadLetterPolicy.DEFAULT),
                new TestTasks());
    }
}
