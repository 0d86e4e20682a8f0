package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The tasks this worker runs right now, each a {@link Run}, from its start to the hand-over of its one outcome:
 * <ol>
 * <li>{@link #start} registers a run on its thread: the heartbeat extends its lease and permit, revocations and
 * time limits interrupt it, a stop interrupts what is still running after the shutdown timeout;</li>
 * <li>{@link #started} sends its "started" notice with the acker's next batch, once its handler is called; its
 * progress goes to Redis at once; a stopping worker {@linkplain #release releases} a run it gives up (these three are
 * its {@link RunStore});</li>
 * <li>{@link #end} hands its outcome to the {@link Acker} and frees its slot, exactly once: whichever of the task's
 * thread and its hard time limit comes first.</li>
 * </ol>
 */
final class RunningTasks implements RunStore {

    private static final Logger log = Processor.RUN_LOG;

    private final Map<String, Run> byEntry = new ConcurrentHashMap<>();
    private final String workerId;
    private final Broker broker;
    private final Slots slots;
    private final Acker acker;
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private final @Nullable HistoryRecorder history;

    /** @param history where outcomes are counted for the task history, or null when it is off */
    RunningTasks(WorkerContext worker, Slots slots, Acker acker, @Nullable HistoryRecorder history) {
        this.workerId = worker.workerId();
        this.broker = worker.broker();
        this.slots = slots;
        this.acker = acker;
        this.history = history;
    }

    /** A run starts on the current thread. */
    Run start(Delivery delivery, long now) {
        Run run = new Run(delivery, Thread.currentThread(), now);
        byEntry.put(key(delivery), run);
        return run;
    }

    /** Its handler is about to be called: its record says STARTED, unless its outcome goes first. */
    @Override
    public void started(Run run, Broker.Started notice) {
        acker.started(notice, run.task().ignoreResult());
    }

    @Override
    public void progress(String queue, String taskId, double fraction, @Nullable String message,
            long recordTtlMillis) {
        broker.progress(queue, taskId, fraction, message, recordTtlMillis);
    }

    @Override
    public void release(Run run) {
        broker.release(workerId, List.of(run.delivery));
    }

    /** A claimed task that is not started (its lease was lost meanwhile) gives its slot back. */
    void notStarted() {
        slots.give(1);
    }

    /**
     * The run's one outcome goes to the acker, and its slot is freed, unless its hard time limit did so already:
     * then the outcome is dropped (the limit's stands).
     */
    void end(Run run, @Nullable Outcome outcome) {
        if (!run.finished.compareAndSet(false, true)) {
            log.warn("Task [{}] finished after its hard time limit; its outcome was discarded (the limit's stands)",
                    run.delivery.taskId());
            return;
        }
        handOver(run, outcome);
    }

    /** The hard time limit gives up on the run: {@code outcome} stands (the run's own will be dropped). */
    void handOver(Run run, @Nullable Outcome outcome) {
        byEntry.remove(key(run.delivery));
        if (outcome != null) { // null: the task went back to Redis to wait for a rate slot or a permit
            processed.incrementAndGet();
            if (outcome.kind() == Outcome.Kind.FAILED || outcome.kind() == Outcome.Kind.QUARANTINED) {
                failed.incrementAndGet();
            }
            acker.add(outcome);
            if (history != null) {
                history.record(run.delivery.queue(), outcome);
            }
        }
        slots.give(1);
    }

    /** Tasks whose outcome was handed over. */
    long processed() {
        return processed.get();
    }

    /** Of those, the ones that failed or were quarantined. */
    long failed() {
        return failed.get();
    }

    Collection<Run> all() {
        return byEntry.values();
    }

    /** The running tasks with this id in this queue (in any queue when null): one, normally. */
    List<Run> withTask(@Nullable String queue, String taskId) {
        List<Run> found = new ArrayList<>();
        for (Run run : byEntry.values()) {
            if (run.delivery.taskId().equals(taskId) && (queue == null || run.delivery.queue().equals(queue))) {
                found.add(run);
            }
        }
        return found;
    }

    /** A revocation announced by any instance: marks the runs of the task, and interrupts them if asked. */
    void revoked(@Nullable String queue, String taskId, boolean interrupt) {
        for (Run run : withTask(queue, taskId)) {
            if (interrupt) {
                log.info("Task [{}] was revoked while running: interrupting it", taskId);
            }
            run.revoke(interrupt);
        }
    }

    /**
     * The runs a revocation could still change: not interrupted by one yet, not claimed as revoked (those only record
     * that outcome, which an interrupt must not cut short), not finished: queue to task ids.
     */
    Map<String, List<String>> revocable() {
        Map<String, List<String>> ids = new HashMap<>();
        for (Run run : byEntry.values()) {
            if (revocable(run)) {
                ids.computeIfAbsent(run.delivery.queue(), q -> new ArrayList<>()).add(run.delivery.taskId());
            }
        }
        return ids;
    }

    /**
     * A revocation found in Redis ({@link Broker#findRevoked}) whose announcement this worker may have missed: does
     * what the announcement would have, unless the run knew it already.
     */
    void foundRevoked(@Nullable String queue, String taskId, boolean interrupt) {
        for (Run run : withTask(queue, taskId)) {
            if (revocable(run) && run.revokeOnce(interrupt)) {
                log.info("Task [{}] was revoked while running, unheard here (notifications cut off){}", taskId,
                        interrupt ? ": interrupting it" : "");
            }
        }
    }

    private static boolean revocable(Run run) {
        return !run.interruptedByRevocation && !run.delivery.revoked() && !run.finished.get();
    }

    /** Tasks whose lease was last renewed before {@code before}. */
    List<Run> leasesOlderThan(long before) {
        List<Run> old = new ArrayList<>();
        for (Run run : byEntry.values()) {
            if (run.leaseRenewedAt < before) {
                old.add(run);
            }
        }
        return old;
    }

    int size() {
        return byEntry.size();
    }

    private static String key(Delivery delivery) {
        return delivery.queue() + '/' + delivery.stream() + '/' + delivery.entryId();
    }
}
