package dev.taskqueue.worker;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's free execution slots. The fetcher takes slots before it claims, and claims no more tasks than it
 * took: a worker never holds a task it cannot start at once.
 * <p>
 * Their number can change while tasks run ({@link AdaptiveConcurrency}): growing frees the new slots at once;
 * shrinking takes back the free ones and records the rest as a debt, paid by the next slots given back, so that no
 * task is interrupted and no slot is lost or made up. At any time {@code free + held - debt == capacity}; once
 * nothing is held, the free slots are exactly the capacity.
 */
final class Slots {

    private final Semaphore free;
    /** Slots to take back as they are given back, after a shrink found fewer free. */
    private final AtomicInteger debt = new AtomicInteger();
    /** Written by one thread at a time (the fetcher's, which resizes), read by any. */
    private volatile int capacity;

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

    /**
     * Gives back slots (a task finished, or fewer tasks were claimed than slots taken); after a shrink they pay its
     * debt first. On the path of every task: without a debt, two reads of it and the release.
     */
    void give(int slots) {
        if (slots <= 0) {
            return;
        }
        int rest = slots - payDebt(slots);
        if (rest > 0) {
            free.release(rest);
            if (debt.get() > 0) {
                collectDebt(); // a shrink began after this saw no debt, and may have missed what was released
            }
        }
    }

    /** Adds {@code slots} free slots, cancelling a shrink's debt first. Called by one thread at a time. */
    void grow(int slots) {
        capacity += slots;
        int rest = slots - payDebt(slots);
        if (rest > 0) {
            free.release(rest);
        }
    }

    /**
     * Removes {@code slots}: the free ones at once, the others as running tasks give theirs back. Nothing running is
     * touched. Called by one thread at a time; never below one slot.
     */
    void shrink(int slots) {
        if (slots >= capacity) {
            throw new IllegalArgumentException("Cannot shrink " + capacity + " slots by " + slots);
        }
        capacity -= slots;
        debt.addAndGet(slots);
        collectDebt();
    }

    /** Pays up to {@code slots} of the debt; how many it paid. */
    private int payDebt(int slots) {
        while (true) {
            int owed = debt.get();
            if (owed == 0) {
                return 0;
            }
            int paid = Math.min(owed, slots);
            if (debt.compareAndSet(owed, owed - paid)) {
                return paid;
            }
        }
    }

    /** Takes free slots to pay the debt, while there is both. */
    private void collectDebt() {
        while (debt.get() > 0 && free.tryAcquire()) {
            if (payDebt(1) == 0) {
                free.release(); // paid by another thread meanwhile
            }
        }
    }

    /** How many slots there are now (the target of a shrink whose debt is not yet paid). */
    int capacity() {
        return capacity;
    }

    /** Slots free now. */
    int free() {
        return free.availablePermits();
    }

    /** Slots held now: by running tasks, and by the fetcher while it claims. */
    int inUse() {
        return capacity - free.availablePermits() + debt.get();
    }

    /** Waits until every slot is free (no task runs), at most {@code timeoutMillis}. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        int all = capacity;
        if (!free.tryAcquire(all, timeoutMillis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        free.release(all);
        return true;
    }
}
