package dev.taskqueue.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.testing.FailoverLoad;
import dev.taskqueue.testing.LocalRedisSentinels;
import dev.taskqueue.testing.Teardown;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Sentinel failover under load: a master, one replica and three sentinels (quorum 2, a master silent 1 s is
 * down), a producer submitting with {@code taskqueue.submit.replicas=1} and a worker, each application with its own
 * client connected through the sentinels as {@code spring.data.redis.sentinel.*} makes it. See {@link FailoverLoad}
 * for what is checked.
 */
class SentinelFailoverIT {

    private final Teardown teardown = new Teardown();

    @Test
    @Timeout(90)
    void aSentinelFailoverLosesNoAcknowledgedSubmitAndTheWorkerFollowsTheNewMaster() {
        try (teardown) {
            Deployment deployment = new Deployment();
            deployment.load.start();
            deployment.load.failOver(deployment.sentinels::failover, () -> FailoverLoad.isMaster(deployment.onReplica));
            deployment.load.verify("sentinel SENTINEL FAILOVER", deployment.replica.uri());
        }
    }

    @Test
    @Timeout(90)
    void aMasterKilledMidLoadLosesNoAcknowledgedSubmitAndTheWorkerFollowsTheNewMaster() {
        try (teardown) {
            Deployment deployment = new Deployment();
            deployment.load.start();
            deployment.load.failOver(deployment.master::kill, () -> FailoverLoad.isMaster(deployment.onReplica));
            // With replicas=1 a submit needs a replica: a replacement joins the new master, as an operator's would.
            deployment.start(List.of("--replicaof", "127.0.0.1", Integer.toString(deployment.replica.port())));
            deployment.load.verify("sentinel kill -9", deployment.replica.uri());
        }
    }

    /** The servers, the sentinels, two applications and the load, all closed by the teardown. */
    private final class Deployment {

        final LocalRedisServer master = start(List.of());
        final LocalRedisServer replica = start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        final StatefulRedisConnection<String, String> onReplica = client(replica.uri()).connect();
        final LocalRedisSentinels sentinels;
        final FailoverLoad load;

        Deployment() {
            FailoverLoad.awaitUntil("the replica's first sync", Duration.ofSeconds(20),
                    () -> onReplica.sync().info("replication").contains("master_link_status:up"));
            sentinels = teardown.add(new LocalRedisSentinels(3, master.port(), 2, Duration.ofSeconds(1)));
            sentinels.awaitDiscovery(1, Duration.ofSeconds(20));
            load = teardown.add(new FailoverLoad(connections(), connections()));
        }

        /** A redis-server that starts replicas at once (no diskless-sync delay). */
        LocalRedisServer start(List<String> arguments) {
            List<String> all = new ArrayList<>(List.of("--repl-diskless-sync-delay", "0"));
            all.addAll(arguments);
            return teardown.add(LocalRedisServer.start(all));
        }

        /** An application's connections: its own client, through the sentinels, following their switches. */
        private RedisConnections connections() {
            RedisURI uri = sentinels.uri(FailoverLoad.COMMAND_TIMEOUT);
            return teardown.add(RedisConnections.using(client(uri), "sentinel master " + LocalRedisSentinels.MASTER
                    + " via " + sentinels.ports()).followSentinel(uri));
        }

        /** A client with the options Spring Boot gives it. */
        private RedisClient client(RedisURI uri) {
            RedisClient client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build());
            teardown.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
            return client;
        }
    }
}
