package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.broker.WorkerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves the worker alive every {@code heartbeatInterval} (its info expires after {@code livenessTimeout}), and
 * extends the leases of tasks running long, so that the visibility timeout never takes back a task that is
 * still running; it publishes what runs now with its info, and catches up on revocations of running tasks it did
 * not hear. Each heartbeat's success (with Redis's clock) or failure goes to {@link Liveness}, which the janitor and
 * the processor consult.
 */
final class Heartbeat {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final WorkerContext worker;
    private final WorkerSettings settings;
    private final RunningTasks running;
    private final Supplier<WorkerInfo> info;
    private final Backoff backoff;
    private final Liveness liveness;
    private final WorkerLoop loop;
    /** The last check for unheard revocations failed (logged once until one succeeds); the beat's thread only. */
    private boolean revocationCheckFailing;

    Heartbeat(WorkerContext worker, RunningTasks running, Supplier<WorkerInfo> info, Liveness liveness) {
        this.worker = worker;
        this.settings = worker.settings();
        this.running = running;
        this.info = info;
        this.backoff = worker.backoff("send the heartbeats of worker " + worker.workerId(), log);
        this.liveness = liveness;
        this.loop = worker.loop("heartbeat", this::scheduledBeat); // a beat reports its own failures: see beat()
    }

    void start() {
        beat(); // register before the first claim, so that the janitor never sees our tasks without us
        loop.start(settings.heartbeatInterval().toMillis());
    }

    private long scheduledBeat() {
        beat();
        return settings.heartbeatInterval().toMillis();
    }

    /** One heartbeat; a failure is logged (once per outage) and the next beat tries again. */
    void beat() {
        try {
            liveness.succeeded(worker.broker().heartbeat(info.get(), runningNow(), settings.livenessTimeout(),
                    settings.outageAfter()));
            extendLongLeases();
            extendPermits();
            backoff.succeeded();
        }
        catch (RuntimeException ex) {
            liveness.failed();
            backoff.failure(ex); // the next beat comes at its time all the same: it is the proof of life
            return;
        }
        try {
            findMissedRevocations();
            if (revocationCheckFailing) {
                revocationCheckFailing = false;
                log.info("Worker {} could check its running tasks for revocations again", worker.workerId());
            }
        }
        catch (RuntimeException ex) {
            // Not the worker's liveness: announcements still reach it, and the next beat looks again
            if (!revocationCheckFailing) {
                revocationCheckFailing = true;
                log.warn("Worker {} could not check its running tasks for revocations it may not have heard ({}); "
                        + "it tries at every heartbeat", worker.workerId(), ex.toString());
            }
        }
    }

    /** What runs now, for operators: the first {@link Broker#MAX_PUBLISHED_RUNNING}. */
    private List<Broker.RunningTask> runningNow() {
        List<Broker.RunningTask> now = new ArrayList<>();
        for (Run run : running.all()) {
            if (now.size() == Broker.MAX_PUBLISHED_RUNNING) {
                break;
            }
            TaskMessage message = run.message;
            now.add(new Broker.RunningTask(run.delivery.taskId(), message == null ? null : message.task(),
                    run.delivery.queue(), run.startedAt));
        }
        return now;
    }

    private void extendLongLeases() {
        long now = worker.clock().millis();
        // Renewing at a quarter of the visibility timeout leaves three chances before the lease would lapse.
        List<Run> due = running.leasesOlderThan(now - settings.visibilityTimeout().toMillis() / 4);
        if (due.isEmpty()) {
            return;
        }
        List<Delivery> deliveries = due.stream().map(r -> r.delivery).toList();
        worker.broker().extendLeases(worker.workerId(), deliveries);
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
            worker.broker().extendPermits(permits, worker.permitLeaseMillis());
        }
    }

    /**
     * Revocations of running tasks are announced on a channel: one announced while this worker's notification
     * connection was down or being replaced would go unheard, and the task would run on. Each beat reads what the
     * announcements said from Redis (one {@code ZMSCORE} per queue with running tasks).
     */
    private void findMissedRevocations() {
        Map<String, List<String>> revocable = running.revocable();
        if (!revocable.isEmpty()) {
            worker.broker().findRevoked(revocable, running::foundRevoked);
        }
    }

    /** Beats no more, at once (after a fatal error): the worker is seen dead after the liveness timeout. */
    void halt() {
        loop.halt();
    }

    void stop() {
        loop.stop(settings.heartbeatInterval().plusSeconds(1));
    }
}
