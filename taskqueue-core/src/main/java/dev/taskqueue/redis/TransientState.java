package dev.taskqueue.redis;

import io.lettuce.core.RedisCommandExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The error replies with which Redis refuses a command, before running it, while it cannot serve it for a time. They
 * say that Redis is unavailable, not that the command is wrong: {@link RedisConnections} turns each into a
 * {@link dev.taskqueue.BrokerUnavailableException} that names the state and what to do, and a submit refused so may
 * be made again, since nothing was stored.
 *
 * <p>A script sent to a read-only replica, or while too few replicas are connected, fails at its first write with
 * the same code ({@code READONLY ... script: <sha>, on @user_script:12.}): having written nothing.
 */
enum TransientState {

    LOADING("is loading its data set into memory (it has just started, or it is a replica taking a full copy)",
            "Wait until it has loaded it (INFO persistence: loading:0); a large data set takes a while"),
    MASTERDOWN("is a replica that lost its link to its primary and is set not to serve stale data "
            + "(replica-serve-stale-data no)",
            "Check the primary and the replication link (INFO replication), or point spring.data.redis.* at the "
                    + "primary"),
    READONLY("is a read-only replica: after a failover the address may now be a replica",
            "Point spring.data.redis.* at the primary, or use Sentinel (spring.data.redis.sentinel.*) or Cluster so "
                    + "that the client follows failovers, and check the failover and Sentinel configuration"),
    TRYAGAIN("is moving this key's hash slot to another node (resharding)",
            "Try again in a moment; the slot is served again once the migration finishes"),
    CLUSTERDOWN("cannot serve this key's hash slot: the cluster is down or no node serves the slot",
            "Check CLUSTER INFO (cluster_state, cluster_slots_assigned) and that every shard has a live primary; the "
                    + "cluster serves again once a failover completes or the slots are assigned"),
    BUSY("is busy running a script or function that has run longer than busy-reply-threshold",
            "Wait for it to end, or stop it with SCRIPT KILL (FUNCTION KILL)"),
    NOREPLICAS("refuses writes: fewer replicas than min-replicas-to-write are connected and in sync",
            "Check the replicas (INFO replication), or min-replicas-to-write and min-replicas-max-lag");

    private final String state;
    private final String advice;

    TransientState(String state, String advice) {
        this.state = state;
        this.advice = advice;
    }

    /** The state Redis says it is in with this error, or null for an error that is not transient. */
    static @Nullable TransientState of(RedisCommandExecutionException error) {
        String message = error.getMessage();
        if (message == null) {
            return null;
        }
        int space = message.indexOf(' ');
        String code = space < 0 ? message : message.substring(0, space); // BUSY, never BUSYKEY or BUSYGROUP
        for (TransientState state : values()) {
            if (state.name().equals(code)) {
                return state;
            }
        }
        return null;
    }

    /** What Redis is doing, as the end of "Redis at host:port ...". */
    String state() {
        return state;
    }

    /** What to do about it, as a sentence without its full stop. */
    String advice() {
        return advice;
    }
}
