package dev.taskqueue.worker;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Broker.Recovery;
import dev.taskqueue.broker.Broker.RecoveryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code janitorInterval}, asks the broker to recover tasks held by dead workers or by leases past the
 * visibility timeout. Every worker runs one; the broker lets one at a time work. It stays quiet until its own
 * heartbeats have worked without a gap for a whole liveness timeout (see {@link Liveness}): after a pause or an
 * outage, the others need that long to prove they are alive again. Redis, for its part, does not count against
 * anyone a time when no worker at all could heartbeat.
 */
final class Janitor {

    private static final Logger log = LoggerFactory.getLogger(Janitor.class);

    private final String workerId;
    private final Broker broker;
    private final WorkerSettings settings;
    private final Liveness liveness;
    private final Backoff backoff;
    private final FatalErrors fatal;
    private volatile boolean running;
    private Thread thread;

    Janitor(String workerId, Broker broker, WorkerSettings settings, Liveness liveness, Problems problems,
            FatalErrors fatal) {
        this.fatal = fatal;
        this.backoff = new Backoff("recover lost tasks", problems);
        this.workerId = workerId;
        this.broker = broker;
        this.settings = settings;
        this.liveness = liveness;
    }

    void start() {
        running = true;
        thread = TaskThreads.daemon("taskqueue-janitor-" + workerId, this::loop, fatal);
        thread.start();
    }

    private void loop() {
        RecoveryPolicy policy = new RecoveryPolicy(settings.livenessTimeout(), settings.visibilityTimeout(),
                workerId);
        while (running) {
            try {
                Thread.sleep(settings.janitorInterval().toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
            // Only a worker whose own heartbeats have worked without a gap for a whole liveness timeout judges the
            // others: back from a pause or an outage, it must give them the time to prove they live.
            if (!running || liveness.healthyForMillis() < settings.livenessTimeout().toMillis()) {
                continue;
            }
            try {
                Recovery recovery = broker.recover(policy);
                if (recovery.redelivered() > 0) {
                    log.warn("Recovered lost tasks: {} delivered again; dead workers: {}", recovery.redelivered(),
                            recovery.deadWorkers());
                }
                backoff.succeeded(log);
            }
            catch (RuntimeException ex) {
                if (running) {
                    backoff.failed(ex, log);
                }
            }
        }
    }

    /** Recovers nothing more, at once (after a fatal error). */
    void halt() {
        running = false;
        TaskThreads.interrupt(thread);
    }

    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            Promoter.join(thread, settings.janitorInterval().plusSeconds(5));
        }
    }
}
