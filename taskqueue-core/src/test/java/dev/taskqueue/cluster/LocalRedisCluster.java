package dev.taskqueue.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * A three-master Redis Cluster on loopback, built with plain commands ({@code CLUSTER ADDSLOTSRANGE},
 * {@code CLUSTER MEET}), so it needs no {@code redis-cli}.
 */
final class LocalRedisCluster implements AutoCloseable {

    private final List<LocalRedisServer> nodes = new ArrayList<>();

    LocalRedisCluster(int size) {
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(LocalRedisServer.start(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                        "nodes.conf", "--cluster-node-timeout", "2000")));
            }
            RedisClient client = RedisClient.create();
            try {
                int slotsPerNode = 16384 / size;
                for (int i = 0; i < size; i++) {
                    RedisCommands<String, String> node = client.connect(uri(i)).sync();
                    int first = i * slotsPerNode;
                    int last = i == size - 1 ? 16383 : first + slotsPerNode - 1;
                    node.dispatch(io.lettuce.core.protocol.CommandType.CLUSTER,
                            new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                            new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                                    .add("ADDSLOTSRANGE").add(first).add(last));
                    if (i > 0) {
                        node.clusterMeet("127.0.0.1", nodes.get(0).port());
                    }
                }
                long deadline = System.currentTimeMillis() + 30_000;
                while (!allOk(client)) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("the cluster did not become ready in 30 s");
                    }
                    Thread.sleep(100);
                }
            }
            finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException(ex);
        }
        catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    private boolean allOk(RedisClient client) {
        for (int i = 0; i < nodes.size(); i++) {
            try (var connection = client.connect(uri(i))) {
                String info = connection.sync().clusterInfo();
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    return false;
                }
            }
        }
        return true;
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
