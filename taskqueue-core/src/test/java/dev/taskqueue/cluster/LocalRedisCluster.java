package dev.taskqueue.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A Redis Cluster on loopback, built with plain commands ({@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER MEET},
 * {@code CLUSTER REPLICATE}), so it needs no {@code redis-cli}. Nodes 0 to masters - 1 are the masters; replicas
 * follow, each master's in turn.
 */
final class LocalRedisCluster implements AutoCloseable {

    private final List<LocalRedisServer> nodes = new ArrayList<>();
    private final int masters;

    LocalRedisCluster(int masters) {
        this(masters, 0);
    }

    /** {@code masters} masters sharing the slots evenly, each with {@code replicasEach} replicas. */
    LocalRedisCluster(int masters, int replicasEach) {
        this.masters = masters;
        int size = masters * (1 + replicasEach);
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(LocalRedisServer.start(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes.conf", "--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0")));
            }
            RedisClient client = RedisClient.create();
            try {
                int slotsPerNode = 16384 / masters;
                for (int i = 0; i < size; i++) {
                    RedisCommands<String, String> node = client.connect(uri(i)).sync();
                    if (i < masters) {
                        int first = i * slotsPerNode;
                        int last = i == masters - 1 ? 16383 : first + slotsPerNode - 1;
                        node.dispatch(io.lettuce.core.protocol.CommandType.CLUSTER,
                                new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                        .add("ADDSLOTSRANGE").add(first).add(last));
                    }
                    if (i > 0) {
                        node.clusterMeet("127.0.0.1", nodes.get(0).port());
                    }
                }
                for (int i = masters; i < size; i++) {
                    String masterId = client.connect(uri(masterOf(i))).sync().clusterMyId();
                    RedisCommands<String, String> replica = client.connect(uri(i)).sync();
                    // A replica can follow only a master it has heard of: gossip takes a moment.
                    awaitUntil(client, c -> replica.clusterNodes().contains(masterId));
                    replica.clusterReplicate(masterId);
                }
                awaitUntil(client, this::allOk);
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
        catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** The master that replica node {@code replica} follows. */
    private int masterOf(int replica) {
        return (replica - masters) % masters;
    }

    private static void awaitUntil(RedisClient client, Predicate<RedisClient> ready) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!ready.test(client)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the cluster did not become ready in 30 s");
            }
            try {
                Thread.sleep(100);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private boolean allOk(RedisClient client) {
        for (int i = 0; i < nodes.size(); i++) {
            try (var connection = client.connect(uri(i))) {
                String info = connection.sync().clusterInfo();
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    return false;
                }
                if (i >= masters && !connection.sync().info("replication").contains("master_link_status:up")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The node's server, to kill or restart (a restarted node keeps its identity: its nodes.conf stays). */
    LocalRedisServer node(int node) {
        return nodes.get(node);
    }

    /** The first replica of master node {@code master}. */
    int replicaOf(int master) {
        return masters + master;
    }

    /** The master node that serves {@code slot} as the cluster was built. */
    int masterOfSlot(int slot) {
        return Math.min(masters - 1, slot / (16384 / masters));
    }

    RedisURI uri(int node) {
        return nodes.get(node).uri();
    }

    List<RedisURI> uris() {
        return nodes.stream().map(LocalRedisServer::uri).toList();
    }

    @Override
    public void close() {
        nodes.forEach(LocalRedisServer::close);
    }
}
