package dev.taskqueue.autoconfigure;

import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import dev.taskqueue.redis.RedisConnections;
import io.lettuce.core.RedisURI;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConverters;

/** Takes taskqueue's Redis connections from Spring Data Redis's Lettuce connection factory. */
final class LettuceClients {

    private LettuceClients() {
    }

    /**
     * Connections on the factory's own Lettuce client: whatever {@code spring.data.redis.*} says (standalone,
     * Sentinel or Cluster, TLS, credentials, database, client name) applies to taskqueue too.
     */
    static RedisConnections connections(@Nullable RedisConnectionFactory factory) {
        if (factory == null) {
            throw new IllegalStateException("taskqueue.broker=redis needs a RedisConnectionFactory, and there is none: "
                    + "add spring-boot-starter-data-redis and point spring.data.redis.* at your Redis, or set "
                    + "taskqueue.broker=inline (tasks run in the caller's thread, for unit tests).");
        }
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            throw new IllegalStateException("taskqueue talks to Redis through Lettuce, but the RedisConnectionFactory "
                    + "is a " + factory.getClass().getName() + ". Use Lettuce (spring.data.redis.client-type=lettuce, "
                    + "the default of spring-boot-starter-data-redis), or define a LettuceConnectionFactory bean "
                    + "annotated with @" + TaskQueueRedisConnectionFactory.class.getSimpleName() + " for taskqueue.");
        }
        // A factory started late (early startup turned off) has no client yet; starting it twice does nothing.
        if (!lettuce.isRunning()) {
            lettuce.start();
        }
        // A supplier, not the client: the factory replaces its client when it is stopped and started again.
        RedisConnections connections = RedisConnections.using(lettuce::getRequiredNativeClient, describe(lettuce));
        if (lettuce.isRedisSentinelAware()) {
            connections.followSentinel(sentinelUri(lettuce));
        }
        return connections;
    }

    /**
     * The sentinels the factory's client asks for the master, with the settings the factory gives them (credentials,
     * TLS, client name, timeout), and the master's name.
     */
    static RedisURI sentinelUri(LettuceConnectionFactory factory) {
        RedisURI uri = LettuceConverters.sentinelConfigurationToRedisURI(factory.getSentinelConfiguration());
        LettuceClientConfiguration client = factory.getClientConfiguration();
        for (RedisURI sentinel : uri.getSentinels()) {
            client.getClientName().ifPresent(sentinel::setClientName);
            sentinel.setSsl(client.isUseSsl());
            sentinel.setVerifyPeer(client.getVerifyMode());
            sentinel.setStartTls(client.isStartTls());
            sentinel.setTimeout(client.getCommandTimeout());
        }
        return uri;
    }

    /** How errors name the server: {@code host:port}, or the Sentinel master or Cluster nodes. */
    static String describe(LettuceConnectionFactory factory) {
        if (factory.isClusterAware()) {
            return "cluster " + nodes(factory.getClusterConfiguration().getClusterNodes());
        }
        if (factory.isRedisSentinelAware()) {
            RedisSentinelConfiguration sentinel = factory.getSentinelConfiguration();
            String master = sentinel.getMaster() != null ? sentinel.getMaster().getName() : "?";
            return "sentinel master " + master + " via " + nodes(sentinel.getSentinels());
        }
        String hostPort = factory.getHostName() + ":" + factory.getPort();
        return factory.getDatabase() == 0 ? hostPort : hostPort + " (database " + factory.getDatabase() + ")";
    }

    private static String nodes(Iterable<RedisNode> nodes) {
        return StreamSupport.stream(nodes.spliterator(), false)
                .map(node -> node.getHost() + ":" + node.getPort())
                .collect(Collectors.joining(","));
    }
}
