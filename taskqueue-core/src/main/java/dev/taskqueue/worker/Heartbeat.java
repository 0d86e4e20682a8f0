package dev.taskqueue.worker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.WorkerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves the worker alive every {@code heartbeatInterval} (its info expires after {@code livenessTimeout}), and
 * extends the leases of tasks running long, so that the visibility timeout never takes back a task that is
 * still running. Each heartbeat's success (with Redis's clock) or failure goes to {@link Liveness}, which the
 * janitor and the processor consult.
 */
final class Heartbeat {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final String workerId;
    private final Broker broker;
    private final WorkerSettings settings;
    private final RunningTasks running;
    private final Supplier<WorkerInfo> info;
    private final long permitLeaseMillis;
    private final Clock clock;
    private final Backoff backoff;
    private final Liveness liveness;
    private final FatalErrors fatal;
    private volatile boolean active;
    private Thread thread;

    Heartbeat(String workerId, Broker broker, WorkerSettings settings, RunningTasks running,
            Supplier<WorkerInfo> info, long permitLeaseMillis, Liveness liveness, Problems problems, Clock clock,
            FatalErrors fatal) {
        this.fatal = fatal;
        this.workerId = workerId;
        this.broker = broker;
        this.settings = settings;
        this.running = running;
        this.info = info;
        this.permitLeaseMillis = permitLeaseMillis;
        this.clock = clock;
        this.backoff = new Backoff("send the heartbeats of worker " + workerId, problems);
        this.liveness = liveness;
    }

    void start() {
        active = true;
        beat(); // register before the first claim, so that the janitor never sees our tasks without us
        thread = TaskThreads.daemon("taskqueue-heartbeat-" + workerId, this::loop, fatal);
        thread.start();
    }

    private void loop() {
        while (active) {
            try {
                Thread.sleep(settings.heartbeatInterval().toMillis());
            }
            catch (InterruptedException ex) {
                return;
            }
            if (active) {
                beat();
            }
        }
    }

    /** One heartbeat; a failure is logged (once per outage) and the next beat tries again. */
    void beat() {
        try {
            liveness.succeeded(broker.heartbeat(info.get(), settings.livenessTimeout(), settings.outageAfter()));
            extendLongLeases();
            extendPermits();
            backoff.succeeded(log);
        }
        catch (RuntimeException ex) {
            liveness.failed();
            backoff.failure(ex, log);
        }
    }

    private void extendLongLeases() {
        long now = clock.millis();
        // Renewing at a quarter of the visibility timeout leaves three chances before the lease would lapse.
        List<Run> due = running.leasesOlderThan(now - settings.visibilityTimeout().toMillis() / 4);
        if (due.isEmpty()) {
            return;
        }
        List<Delivery> deliveries = due.stream().map(r -> r.delivery).toList();
        broker.extendLeases(workerId, deliveries);
        due.forEach(r -> r.leaseRenewedAt = now);
    }

    /** Concurrency permits are short leases (a dead worker's come back soon): extend those of running tasks. */
    private void extendPermits() {
        Map<String, Map<String, List<String>>> permits = new HashMap<>();
        for (Run run : running.all()) {
            String key = run.permitKey;
            if (key != null) {
                permits.computeIfAbsent(run.delivery.queue(), q -> new HashMap<>())
                        .computeIfAbsent(key, k -> new ArrayList<>()).add(run.delivery.taskId());
            }
        }
        if (!permits.isEmpty()) {
            broker.extendPermits(permits, permitLeaseMillis);
        }
    }

    /** Beats no more, at once (after a fatal error): the worker is seen dead after the liveness timeout. */
    void halt() {
        active = false;
        TaskThreads.interrupt(thread);
    }

    void stop() {
        active = false;
        if (thread != null) {
            thread.interrupt();
            Promoter.join(thread, settings.heartbeatInterval().plusSeconds(1));
        }
    }
}
