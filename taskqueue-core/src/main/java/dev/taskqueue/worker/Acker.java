package dev.taskqueue.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.event.TaskEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records outcomes in batches: whatever finished while the previous batch was in flight goes in the next, so
 * under load one round trip acknowledges hundreds of tasks, and when idle an outcome leaves at once.
 *
 * <p>At least once: an outcome is kept until Redis has recorded it. If Redis is down, the acker retries with
 * backoff; if the worker dies first, the unacknowledged tasks run again elsewhere. It is worse to lose a task
 * than to run it twice.
 */
final class Acker {

    private static final Logger log = LoggerFactory.getLogger(Acker.class);

    /** At most this many outcomes per round trip: one script must not hold Redis for long. */
    static final int MAX_BATCH = 500;

    /**
     * A task's "started" notice leaves once it has run this long: most tasks (no-ops, a cache read, a short call) end
     * sooner, and their record is then written once, with the outcome, instead of twice. An operator sees a long task
     * as STARTED at most this much later; when the acker is idle, notices wait up to its 100 ms poll anyway.
     */
    static final long STARTED_NOTICE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String workerId;
    private final Broker broker;
    private final TaskEventListener listener;
    private final LinkedBlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<StartedNotice> started = new LinkedBlockingQueue<>();
    /** The loop's own: notices taken from {@link #started} not sent yet, oldest first (in the order tasks started). */
    private final ArrayDeque<StartedNotice> youngNotices = new ArrayDeque<>();
    /** The batch in flight: the loop's own until it ended; kept after a failure, to be sent again. */
    private final List<Outcome> batch = new ArrayList<>();
    private final Backoff backoff;
    private final WorkerLoop loop;
    private volatile boolean halted;
    /** Notified each time the loop takes a batch of outcomes: {@link #awaitBacklogAtMost} waits on it. */
    private final Object batchTaken = new Object();

    Acker(WorkerContext worker) {
        this.workerId = worker.workerId();
        this.broker = worker.broker();
        this.listener = worker.listener();
        this.backoff = worker.backoff("record task outcomes", log);
        this.loop = worker.loop("acker", backoff, this::recordNext);
    }

    /** Queues an outcome for the next batch. */
    void add(Outcome outcome) {
        if (!halted) { // after a fatal error, outcomes are not recorded: their tasks run again elsewhere
            outcomes.add(outcome);
        }
    }

    /** Queues a "started" notice, sent before the next batch of outcomes (none for fire-and-forget tasks). */
    void started(Broker.Started task, boolean ignoreResult) {
        if (!ignoreResult) {
            started.add(new StartedNotice(task, System.nanoTime()));
        }
    }

    /** A task's "started" notice, and when it was queued (at the task's start). */
    private record StartedNotice(Broker.Started task, long queuedAtNanos) {
    }

    /** Outcomes not yet recorded. */
    int backlog() {
        return outcomes.size();
    }

    /**
     * Waits until at most {@code limit} outcomes wait to be recorded, or {@code timeoutMillis} passed: a fetcher
     * held back by the backlog claims again as soon as the loop takes a batch (a fixed pause left Redis idle).
     */
    void awaitBacklogAtMost(int limit, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (batchTaken) {
            long left;
            while (outcomes.size() > limit && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(batchTaken, left);
            }
        }
    }

    void start() {
        loop.start();
    }

    /** Records the next batch: what finished meanwhile, or the first outcome within 100 ms, else nothing. */
    private long recordNext() throws InterruptedException {
        if (batch.isEmpty()) {
            Outcome first = outcomes.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                sendStarted(List.of());
                return 0;
            }
            batch.add(first);
            outcomes.drainTo(batch, MAX_BATCH - 1);
            synchronized (batchTaken) {
                batchTaken.notifyAll();
            }
        }
        record(batch); // if it fails, the batch is kept: it is sent again when Redis answers
        batch.clear();
        backoff.succeeded();
        return 0;
    }

    private void record(List<Outcome> batch) {
        if (halted) {
            return; // a task interrupted by the halt must not have that recorded as its outcome
        }
        sendStarted(batch);
        List<Boolean> recorded = broker.acknowledge(workerId, batch);
        for (int i = 0; i < batch.size(); i++) {
            if (!recorded.get(i)) {
                Outcome o = batch.get(i);
                log.warn("The outcome of task {} [{}] was not recorded: this worker lost its lease (it was thought "
                        + "dead or held the task past the visibility timeout), so the task was handed to another "
                        + "worker", o.taskName(), o.delivery().taskId());
                listener.outcomeRefused(o.delivery().taskId(), o.taskName(), o.delivery().queue());
            }
        }
    }

    /**
     * Sends the "started" notices of tasks that have run for {@link #STARTED_NOTICE_AFTER_NANOS}, and drops those of
     * tasks whose outcome goes in {@code batch}: their record is written once, with the outcome. Younger notices wait
     * for a later batch, by which time most of their tasks have ended and need none.
     */
    private void sendStarted(List<Outcome> batch) {
        started.drainTo(youngNotices); // a task's notice is queued before its outcome: all of the batch's are here
        if (youngNotices.isEmpty()) {
            return;
        }
        if (!batch.isEmpty()) {
            Set<String> finished = new HashSet<>();
            batch.forEach(o -> finished.add(o.delivery().taskId()));
            youngNotices.removeIf(notice -> finished.contains(notice.task().taskId()));
        }
        long startedBefore = System.nanoTime() - STARTED_NOTICE_AFTER_NANOS;
        List<Broker.Started> notices = new ArrayList<>();
        while (!youngNotices.isEmpty() && notices.size() < MAX_BATCH
                && youngNotices.peekFirst().queuedAtNanos() - startedBefore <= 0) {
            notices.add(youngNotices.pollFirst().task());
        }
        if (!notices.isEmpty()) {
            broker.markStarted(workerId, notices);
        }
    }

    /**
     * Stops recording at once, without a word to Redis (after a fatal error): the outcomes not recorded are lost, and
     * their tasks run again elsewhere (at least once).
     */
    void halt() {
        halted = true;
        loop.halt();
    }

    /**
     * Stops the loop, then records what is left, trying until {@code deadlineNanos}. A batch still in flight at the
     * deadline is left to the loop's thread, which is not interrupted.
     */
    void stop(long deadlineNanos) {
        loop.requestStop();
        if (loop.join(Duration.ofNanos(deadlineNanos - System.nanoTime()))) {
            outcomes.addAll(batch); // what was in flight goes to the final flush
            batch.clear();
        }
        List<Outcome> rest = new ArrayList<>();
        outcomes.drainTo(rest);
        while (!rest.isEmpty() && System.nanoTime() < deadlineNanos) {
            List<Outcome> batch = rest.subList(0, Math.min(MAX_BATCH, rest.size()));
            try {
                record(batch);
                batch.clear();
            }
            catch (RuntimeException ex) {
                log.warn("Could not record {} task outcome(s) before stopping: {}", rest.size(), ex.getMessage());
                sleepQuietly(200);
            }
        }
        if (!rest.isEmpty()) {
            log.warn("Stopped with {} task outcome(s) not recorded; those tasks will run again on another worker",
                    rest.size());
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
