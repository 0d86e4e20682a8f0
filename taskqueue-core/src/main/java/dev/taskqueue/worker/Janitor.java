package dev.taskqueue.worker;

import dev.taskqueue.broker.Broker.Recovery;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code janitorInterval}, asks the broker to recover tasks held by dead workers or by leases past the
 * visibility timeout. Every worker runs one; the broker lets one at a time work. It stays quiet until its own
 * heartbeats have worked without a gap for a whole liveness timeout (see {@link Liveness}): after a pause or an
 * outage, the others need that long to prove they are alive again. Redis, for its part, does not count against
 * anyone a time when no worker at all could heartbeat, and the recovery judges no one while this worker's own last
 * heartbeat is as late as a dead worker's (its process may freeze between the check here and the recovery).
 */
final class Janitor {

    private static final Logger log = LoggerFactory.getLogger(Janitor.class);

    private final WorkerContext worker;
    private final WorkerSettings settings;
    private final Liveness liveness;
    private final RecoveryPolicy policy;
    private final Backoff backoff;
    private final WorkerLoop loop;

    Janitor(WorkerContext worker, Liveness liveness) {
        this.worker = worker;
        this.settings = worker.settings();
        this.liveness = liveness;
        this.policy = new RecoveryPolicy(settings.livenessTimeout(), settings.visibilityTimeout(), worker.workerId());
        this.backoff = worker.backoff("recover lost tasks", log);
        this.loop = worker.loop("janitor", backoff, this::recoverLost);
    }

    void start() {
        loop.start(settings.janitorInterval().toMillis());
    }

    private long recoverLost() {
        // Only a worker whose own heartbeats have worked without a gap for a whole liveness timeout judges the
        // others: back from a pause or an outage, it must give them the time to prove they live.
        if (liveness.healthyForMillis() >= settings.livenessTimeout().toMillis()) {
            Recovery recovery = worker.broker().recover(policy);
            if (recovery.redelivered() > 0) {
                log.warn("Recovered lost tasks: {} delivered again; dead workers: {}", recovery.redelivered(),
                        recovery.deadWorkers());
            }
            backoff.succeeded();
        }
        return settings.janitorInterval().toMillis();
    }

    /** Recovers nothing more, at once (after a fatal error). */
    void halt() {
        loop.halt();
    }

    void stop() {
        loop.stop(settings.janitorInterval().plusSeconds(5));
    }
}
