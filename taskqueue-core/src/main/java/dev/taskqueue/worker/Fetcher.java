package dev.taskqueue.worker;

import java.util.List;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims tasks for free slots, and only for free slots:
 * <ol>
 * <li>waits for at least one free slot, then takes all free slots;</li>
 * <li>claims up to that many tasks without waiting (one round trip, queues in {@link QueueOrder});</li>
 * <li>if there were none, waits for one on a blocking read (its own connection), so an idle worker costs Redis
 * one call per poll timeout and starts a new task within a round trip of its arrival;</li>
 * <li>while tasks trickle in (the last blocking read came back with fewer than it asked for, moments ago), waits
 * on the blocking read at once, without the claim before it, which would find the queues as empty as the read
 * left them: a round trip per task less at a low rate. The claim still runs at least every
 * {@value #TRICKLE_CLAIM_MILLIS} ms, and after any wait for free slots, so that what waited in a stream meanwhile is
 * claimed in order, checked for revocations and pauses by the claim script;</li>
 * <li>after a gap in the worker's heartbeats, has {@link LeaseCheck} confirm it still holds the leases of what it
 * claimed (a worker that seemed dead may have lost them);</li>
 * <li>hands the tasks to the {@link Processor} and gives back the slots it did not use.</li>
 * </ol>
 * Under load (the last claim was full: more tasks wait), the fetcher lingers up to {@value #LINGER_MICROS} µs for
 * half its slots to free up, so that claims come in large batches: the round trip, not the task, is the cost of
 * a short task. An idle worker never lingers: a task arriving alone starts within a round trip.
 * <p>
 * Before each claim, holding no slot, it lets {@link AdaptiveConcurrency} resize the slots by what it saw: how long
 * runs took, and whether claims came back full.
 */
final class Fetcher {

    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    /** The longest wait for more free slots when tasks are waiting. */
    static final long LINGER_MICROS = 1_000;

    /** A blocking read that came back short this recently means the queues are still empty: wait again at once. */
    static final long TRICKLE_MICROS = 2_000;

    /** While tasks trickle in, the claim script still runs this often. */
    static final long TRICKLE_CLAIM_MILLIS = 100;

    private final String workerId;
    private final Broker broker;
    private final QueueOrder queues;
    private final Slots slots;
    private final Processor processor;
    private final Acker acker;
    private final WorkerSettings settings;
    private final LeaseCheck leases;
    private final Backoff backoff;
    private final WorkerLoop loop;
    private final AdaptiveConcurrency concurrency;
    private boolean backlog;
    /** When the last blocking read came back with fewer tasks than asked ({@link System#nanoTime()}), if it did. */
    private long drainedAt;
    private boolean drained;
    private long lastClaimAt;

    Fetcher(WorkerContext worker, Slots slots, Processor processor, Acker acker, LeaseCheck leases,
            AdaptiveConcurrency concurrency) {
        this.workerId = worker.workerId();
        this.broker = worker.broker();
        this.settings = worker.settings();
        this.queues = new QueueOrder(settings.queues(), settings.strictOrder());
        this.slots = slots;
        this.processor = processor;
        this.acker = acker;
        this.leases = leases;
        this.concurrency = concurrency;
        this.backoff = worker.backoff("claim tasks", log);
        this.loop = worker.loop("fetcher", backoff, this::claimNext);
    }

    void start() {
        loop.start();
    }

    /** One claim for the free slots; the slots it took and did not hand to the processor go back. */
    private long claimNext() throws InterruptedException {
        concurrency.adjust(acker.backlog());
        int taken = slots.takeFree(100);
        try {
            if (taken == 0 || !loop.running()) {
                return 0;
            }
            int mostOutcomesWaiting = Acker.MAX_BATCH + slots.capacity();
            if (acker.backlog() > mostOutcomesWaiting) {
                // outcomes pile up (Redis slow or down): claiming more would only grow the pile; claim again once
                // the acker took a batch of them (in at most 10 ms, to look at the rest again)
                acker.awaitBacklogAtMost(mostOutcomesWaiting, 10);
                return 0;
            }
            int half = slots.capacity() / 2;
            if (backlog && taken < half) {
                taken += slots.takeMore(half - taken, LINGER_MICROS * 1_000);
            }
            List<String> order = queues.next();
            long claimedAt = System.nanoTime();
            List<Delivery> claimed = List.of();
            if (!trickling(claimedAt, order.size())) {
                lastClaimAt = claimedAt;
                claimed = broker.claim(workerId, order, taken);
                backlog = !claimed.isEmpty() && claimed.size() == taken;
                concurrency.claimed(taken, claimed.size());
            }
            drained = false;
            if (claimed.isEmpty() && loop.running()) {
                claimedAt = System.nanoTime();
                claimed = broker.awaitAndClaim(workerId, order, taken, settings.pollTimeout());
                drained = claimed.size() < taken;
                drainedAt = System.nanoTime();
            }
            backoff.succeeded();
            slots.give(taken - claimed.size());
            taken = 0;
            List<Delivery> startable = confirmLeases(claimed, claimedAt);
            slots.give(claimed.size() - startable.size());
            processor.submit(startable, claimedAt);
            return 0;
        }
        finally {
            slots.give(taken);
        }
    }

    /**
     * Whether tasks trickle in: the last blocking read came back short moments ago (the fetcher took its slots
     * without waiting since), the claim script ran recently, and one blocking read spans every queue.
     */
    private boolean trickling(long now, int queueCount) {
        return drained && now - drainedAt < TRICKLE_MICROS * 1_000
                && now - lastClaimAt < TRICKLE_CLAIM_MILLIS * 1_000_000 && broker.awaitsAllAtOnce(queueCount);
    }

    /**
     * The claimed tasks this worker may start (see {@link LeaseCheck}); while Redis cannot say, it asks again: a
     * task is never started on a lease that may be lost. If the worker stops meanwhile, none (its stop hands back
     * whatever it still holds).
     */
    private List<Delivery> confirmLeases(List<Delivery> claimed, long claimedAt) {
        while (true) {
            try {
                return leases.startable(claimed, claimedAt);
            }
            catch (RuntimeException ex) {
                if (!loop.running()) {
                    return List.of();
                }
                backoff.failed(ex);
            }
        }
    }

    /** Stops claiming at once, without a word to Redis (after a fatal error): what it holds is recovered elsewhere. */
    void halt() {
        loop.halt();
    }

    /** Stops claiming: wakes a blocking read and waits for the loop to end (what it claimed still runs). */
    void stop() {
        loop.requestStop();
        if (!loop.started()) {
            return;
        }
        try {
            broker.wakeUp(workerId);
        }
        catch (RuntimeException ex) {
            log.debug("Could not wake the blocking read of worker {}", workerId, ex);
        }
        loop.stop(settings.pollTimeout().plusSeconds(1));
    }
}
