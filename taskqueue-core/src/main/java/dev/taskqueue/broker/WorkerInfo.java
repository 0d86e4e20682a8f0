package dev.taskqueue.broker;

import java.util.List;

/**
 * What a worker publishes with each heartbeat.
 *
 * @param id the worker id (also its consumer name in Redis)
 * @param host the host name
 * @param pid the process id
 * @param queues the queues it consumes, in order
 * @param concurrency how many tasks it may run at once now (where its adaptive concurrency stands, or its fixed one)
 * @param maxConcurrency how many its concurrency may adapt up to ({@code concurrency} when fixed)
 * @param active how many it runs now
 * @param processed how many it finished since it started
 * @param failed how many of those failed
 * @param startedAt when it started, epoch milliseconds
 * @param lastHeartbeat when it last reported, epoch milliseconds (on the broker's clock)
 * @param state RUNNING, STOPPING or {@value #LOST} (its heartbeat stopped)
 */
public record WorkerInfo(String id, String host, long pid, List<String> queues, int concurrency, int maxConcurrency,
        int active, long processed, long failed, long startedAt, long lastHeartbeat, String state) {

    /** A worker whose concurrency is fixed. */
    public WorkerInfo(String id, String host, long pid, List<String> queues, int concurrency, int active,
            long processed, long failed, long startedAt, long lastHeartbeat, String state) {
        this(id, host, pid, queues, concurrency, concurrency, active, processed, failed, startedAt, lastHeartbeat,
                state);
    }

    /** The state of a worker whose heartbeat stopped without it saying goodbye. */
    public static final String LOST = "LOST";

    /** Whether its heartbeat stopped: it is not counted among the live workers. */
    public boolean isLost() {
        return LOST.equals(state);
    }
}
