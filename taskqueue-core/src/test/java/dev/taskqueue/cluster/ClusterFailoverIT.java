package dev.taskqueue.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.taskqueue.ReplicationException;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.testing.FailoverLoad;
import dev.taskqueue.testing.FailoverTasks;
import dev.taskqueue.testing.Teardown;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Redis Cluster failover under load: three masters with a replica each; the master that serves the queue's slot
 * fails while a producer submits with {@code taskqueue.submit.replicas=1} and a worker runs the tasks, each
 * application with its own cluster client, configured as Spring Boot configures it from
 * {@code spring.data.redis.cluster.nodes}. See {@link FailoverLoad} for what is checked.
 */
class ClusterFailoverIT {

    private final Teardown teardown = new Teardown();

    @Test
    @Timeout(90)
    void aMasterKilledMidLoadLosesNoAcknowledgedSubmitAndTheWorkerFollowsItsReplica() {
        try (teardown) {
            Deployment deployment = new Deployment();
            LocalRedisServer master = deployment.cluster.node(deployment.master);
            deployment.load.start();
            deployment.load.failOver(master::kill, deployment.promotedOrForcedAfter(Duration.ofSeconds(15)));
            // With replicas=1 a submit needs a replica: the killed node comes back, and follows its old replica.
            master.restart();
            deployment.load.verify("cluster kill -9", deployment.cluster.uri(deployment.replica));
        }
    }

    @Test
    @Timeout(90)
    void aClusterFailoverLosesNoAcknowledgedSubmitAndTheWorkerFollowsTheNewMaster() {
        try (teardown) {
            Deployment deployment = new Deployment();
            deployment.load.start();
            deployment.load.failOver(() -> deployment.onReplica.sync().clusterFailover(false),
                    () -> FailoverLoad.isMaster(deployment.onReplica));
            deployment.load.verify("cluster CLUSTER FAILOVER", deployment.cluster.uri(deployment.replica));
        }
    }

    @Test
    @Timeout(60)
    void aSubmitIsConfirmedByTheReplicaOfTheMasterThatStoredIt() {
        try (teardown) {
            LocalRedisCluster cluster = teardown.add(new LocalRedisCluster(3, 1));
            RedisBroker broker = teardown.add(new RedisStores(connections(cluster), "taskqueue",
                    RedisStores.Options.DEFAULTS.withDurability(new RedisStores.Durability(1, Duration.ofMillis(300)))))
                    .broker();
            cluster.node(cluster.replicaOf(0)).kill();
            // One queue on each master: only the one whose master lost its replica is unconfirmed.
            for (int master = 0; master < 3; master++) {
                String queue = queueOn(cluster, master);
                List<OutgoingMessage> message = List.of(new OutgoingMessage("t-" + queue, "t", queue, 0,
                        "{\"task\":\"t\",\"args\":[]}".getBytes(StandardCharsets.UTF_8), 0, null, false, 60_000,
                        null, null));
                if (master == 0) {
                    assertThatThrownBy(() -> broker.submit(message)).as("queue %s", queue)
                            .isInstanceOf(ReplicationException.class);
                }
                else {
                    assertThat(broker.submit(message)).as("queue %s", queue).extracting(SubmitResult::outcome)
                            .containsExactly(SubmitResult.Outcome.ACCEPTED);
                }
            }
        }
    }

    /** A queue whose slot the master node {@code master} serves. */
    private static String queueOn(LocalRedisCluster cluster, int master) {
        for (int i = 0;; i++) {
            if (cluster.masterOfSlot(SlotHash.getSlot("{taskqueue:q" + i + "}")) == master) {
                return "q" + i;
            }
        }
    }

    /**
     * An application's connections: its own cluster client with the options Spring Boot gives it by default
     * (dynamic refresh sources; Lettuce's adaptive refresh triggers; no periodic refresh).
     */
    private RedisConnections connections(LocalRedisCluster cluster) {
        RedisClusterClient client = RedisClusterClient.create(cluster.uris().stream()
                .map(uri -> RedisURI.builder(uri).withTimeout(FailoverLoad.COMMAND_TIMEOUT).build()).toList());
        client.setOptions(ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().dynamicRefreshSources(true).build())
                .timeoutOptions(TimeoutOptions.enabled()).build());
        teardown.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        return teardown.add(RedisConnections.using(client, "cluster"));
    }

    /** The cluster, two applications and the load, all closed by the teardown. */
    private final class Deployment {

        final LocalRedisCluster cluster = teardown.add(new LocalRedisCluster(3, 1));
        /** The node that serves the queue's slot, and its replica. */
        final int master = cluster.masterOfSlot(SlotHash.getSlot("{taskqueue:" + FailoverTasks.QUEUE + "}"));
        final int replica = cluster.replicaOf(master);
        final StatefulRedisConnection<String, String> onReplica;
        final FailoverLoad load;

        Deployment() {
            RedisClient admin = RedisClient.create(cluster.uri(replica));
            teardown.add(() -> admin.shutdown(Duration.ZERO, Duration.ofSeconds(1)));
            onReplica = admin.connect();
            load = teardown.add(new FailoverLoad(connections(cluster), connections(cluster)));
        }

        /**
         * Whether the replica is master now. Redis elects it within seconds of the kill as a rule; on a starved
         * machine an election can fail and retry until the replica's data is too old to fail over by itself
         * (node timeout x validity factor). Past {@code patience} this does what an operator would, once: prints why
         * (the replica's view and log) and forces the failover, so the test goes on to check what is ours to check,
         * that the applications follow the promotion and lose no acknowledged submit.
         */
        BooleanSupplier promotedOrForcedAfter(Duration patience) {
            long forceAt = System.nanoTime() + patience.toNanos();
            AtomicBoolean forced = new AtomicBoolean();
            return () -> {
                if (FailoverLoad.isMaster(onReplica)) {
                    return true;
                }
                if (System.nanoTime() > forceAt && forced.compareAndSet(false, true)) {
                    System.out.println("FAILOVER-TEST the replica was not promoted " + patience.toSeconds()
                            + " s after the kill; forcing it. Its view: " + onReplica.sync().clusterNodes()
                            .replace('\n', '|') + " Its log: " + cluster.node(replica).logTail(20));
                    onReplica.sync().clusterFailover(true);
                }
                return false;
            };
        }
    }
}
