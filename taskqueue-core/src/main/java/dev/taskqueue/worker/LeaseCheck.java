package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker that could not prove itself alive from starting tasks that were meanwhile taken over: a task
 * claimed before a gap in its heartbeats (a paused process, a long GC pause, a Redis outage) may have been taken
 * back by another worker's janitor and run there. Before such a task starts, its lease is confirmed in one round
 * trip for the whole batch (the lease extension: it answers which leases are still held); the lost ones are
 * dropped without an outcome, since another worker has or had them. Without a gap, nothing is asked.
 */
final class LeaseCheck {

    private static final Logger log = LoggerFactory.getLogger(LeaseCheck.class);

    private final String workerId;
    private final Broker broker;
    private final Liveness liveness;

    LeaseCheck(String workerId, Broker broker, Liveness liveness) {
        this.workerId = workerId;
        this.broker = broker;
        this.liveness = liveness;
    }

    /**
     * The deliveries claimed at {@code claimedAtNanos} that may start: all of them while this worker has proven
     * itself alive since then, else those whose lease Redis confirms.
     *
     * @throws RuntimeException if Redis cannot confirm them (the caller waits and asks again)
     */
    List<Delivery> startable(List<Delivery> claimed, long claimedAtNanos) {
        if (claimed.isEmpty() || liveness.provenSince(claimedAtNanos)) {
            return claimed;
        }
        List<Delivery> held = broker.extendLeases(workerId, claimed);
        if (held.size() < claimed.size()) {
            List<Delivery> lost = new ArrayList<>(claimed);
            lost.removeAll(held);
            log.warn("Worker {} could not prove it was alive for a while (paused, or cut off from Redis) and lost the "
                    + "lease of {} task(s) it had claimed meanwhile: another worker runs them, so they are not started "
                    + "here: {}", workerId, lost.size(), lost.stream().map(Delivery::taskId).toList());
        }
        return held;
    }
}
