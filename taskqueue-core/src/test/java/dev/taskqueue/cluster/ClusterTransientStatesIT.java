package dev.taskqueue.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.redis.SubmitRetry;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The states in which a real Redis Cluster refuses commands for a time reach the caller as
 * {@link BrokerUnavailableException}, naming the state and what to do.
 */
@Timeout(120)
class ClusterTransientStatesIT {

    private static final int DEFAULT_QUEUE_SLOT = SlotHash.getSlot("{taskqueue:default}");

    @Test
    void aSubmitToASlotThatNoNodeServesSaysTheClusterIsDown() {
        try (LocalRedisCluster cluster = new LocalRedisCluster(1)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uris());
            RedisClient admin = RedisClient.create(cluster.uri(0));
            try (TaskQueueFixture fixture = fixture(client, SubmitRetry.NEVER)) {
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
            try (TaskQueueFixture fixture = fixture(client, SubmitRetry.NEVER);
                    Migration migration = new Migration(cluster, DEFAULT_QUEUE_SLOT)) {
                assertThatThrownBy(() -> fixture.client.submit(TestTasks::add, 1, 2))
                        .isInstanceOf(BrokerUnavailableException.class)
                        .hasMessageContaining("is moving this key's hash slot to another node")
                        .hasMessageContaining("(TRYAGAIN ");
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    /**
     * Two queues in one submit: the one whose slot is moving is refused (TRYAGAIN) and sent again until the
     * migration is called off; the other one, stored at the first attempt, is not sent again.
     */
    @Test
    void aSubmitTriesAgainOnlyTheQueueThatWasRefused() throws Exception {
        try (LocalRedisCluster cluster = new LocalRedisCluster(2)) {
            RedisClusterClient client = RedisClusterClient.create(cluster.uris());
            SubmitRetry retry = new SubmitRetry(20, Duration.ofMillis(100), 2, Duration.ofMillis(200));
            try (TaskQueueFixture fixture = fixture(client, retry);
                    Migration migration = new Migration(cluster, DEFAULT_QUEUE_SLOT)) {
                CompletableFuture<Void> calledOff = CompletableFuture.runAsync(() -> {
                    sleep(600);
                    migration.close();
                });
                List<TaskHandle<?>> handles = fixture.client.submitAll(List.of(TaskCall.of(TestTasks::add, 1, 2),
                        TaskCall.of(TestTasks::thumbnail, "img-1", 100)));
                calledOff.get(30, TimeUnit.SECONDS);

                assertThat(handles).hasSize(2);
                RedisAdvancedClusterCommands<String, String> redis = client.connect().sync();
                assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(1);
                assertThat(redis.xlen("{taskqueue:images}:s:0")).as("stored at the first attempt only").isEqualTo(1);
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
    }

    /** A slot being moved from its owner to the other node of a two-node cluster, until this is closed. */
    private static final class Migration implements AutoCloseable {

        private final RedisClient admin = RedisClient.create();
        private final List<RedisCommands<String, String>> nodes;
        private final int slot;

        Migration(LocalRedisCluster cluster, int slot) {
            this.slot = slot;
            RedisCommands<String, String> owner = admin.connect(cluster.uri(slot < 16384 / 2 ? 0 : 1)).sync();
            RedisCommands<String, String> target = admin.connect(cluster.uri(slot < 16384 / 2 ? 1 : 0)).sync();
            nodes = List.of(owner, target);
            target.clusterSetSlotImporting(slot, owner.clusterMyId());
            owner.clusterSetSlotMigrating(slot, target.clusterMyId());
        }

        /** Calls the migration off: the owner serves the slot again. */
        @Override
        public synchronized void close() {
            if (admin.getResources().eventExecutorGroup().isShuttingDown()) {
                return;
            }
            nodes.forEach(node -> node.clusterSetSlotStable(slot));
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    private static TaskQueueFixture fixture(RedisClusterClient client, SubmitRetry retry) {
        return new TaskQueueFixture(RedisConnections.using(client, "cluster"), retry, new TestTasks());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
