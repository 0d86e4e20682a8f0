package dev.taskqueue.worker;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The worker's free execution slots. The fetcher takes slots before it claims, and claims no more tasks than it
 * took: a worker never holds a task it cannot start at once.
 */
final class Slots {

    private final int capacity;
    private final Semaphore free;

    Slots(int capacity) {
        this.capacity = capacity;
        this.free = new Semaphore(capacity);
    }

    /**
     * Waits up to {@code timeoutMillis} for at least one free slot, then takes every free slot.
     *
     * @return how many slots were taken (0 if none freed up in time)
     */
    int takeFree(long timeoutMillis) throws InterruptedException {
        if (!free.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return 0;
        }
        return 1 + free.drainPermits();
    }

    /**
     * Waits up to {@code nanos} for up to {@code wanted} more slots to free up, and takes them.
     *
     * @return how many were taken
     */
    int takeMore(int wanted, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        int taken = free.drainPermits();
        while (taken < wanted) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !free.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            taken += 1 + free.drainPermits();
        }
        return taken;
    }

    /** Gives back slots (a task finished, or fewer tasks were claimed than slots taken). */
    void give(int slots) {
        if (slots > 0) {
            free.release(slots);
        }
    }

    int capacity() {
        return capacity;
    }

    /** Waits until every slot is free (no task runs), at most {@code timeoutMillis}. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        if (!free.tryAcquire(capacity, timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        free.release(capacity);
        return true;
    }
}
