package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Resizing the slots while tasks take and give them back loses none and makes none up. */
class SlotsTest {

    @Test
    void growingFreesTheNewSlotsAtOnce() throws InterruptedException {
        Slots slots = new Slots(4);
        assertThat(slots.takeFree(0)).isEqualTo(4);
        slots.grow(4);
        assertThat(slots.capacity()).isEqualTo(8);
        assertThat(slots.takeFree(0)).isEqualTo(4);
        slots.give(8);
        assertThat(slots.free()).isEqualTo(8);
    }

    @Test
    void shrinkingTakesFreeSlotsAtOnceAndTheOthersAsTheyComeBack() throws InterruptedException {
        Slots slots = new Slots(8);
        assertThat(slots.takeFree(0)).isEqualTo(8);
        slots.give(2);
        slots.shrink(4); // 2 free now, 2 more owed by running tasks
        assertThat(slots.capacity()).isEqualTo(4);
        assertThat(slots.free()).isZero();
        slots.give(1);
        assertThat(slots.free()).isZero();
        slots.grow(1); // cancels one slot of the debt instead of freeing one
        assertThat(slots.free()).isZero();
        slots.give(5);
        assertThat(slots.free()).isEqualTo(5).isEqualTo(slots.capacity());
        assertThat(slots.inUse()).isZero();
        assertThat(slots.awaitIdle(0)).isTrue();
    }

    @Test
    void resizingWhileTasksTakeAndGiveLosesAndCreatesNothing() throws InterruptedException {
        Slots slots = new Slots(16);
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger held = new AtomicInteger();
        AtomicInteger maxHeld = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread worker = new Thread(() -> {
                try {
                    while (go.get()) {
                        int taken = slots.takeFree(5);
                        if (taken == 0) {
                            continue;
                        }
                        maxHeld.accumulateAndGet(held.addAndGet(taken), Math::max);
                        Thread.onSpinWait();
                        // give back in pieces, as tasks end one by one
                        while (taken > 0) {
                            int piece = Math.min(taken, 1 + ThreadLocalRandom.current().nextInt(3));
                            held.addAndGet(-piece);
                            slots.give(piece);
                            taken -= piece;
                        }
                    }
                }
                catch (Throwable ex) {
                    failure.set(ex);
                }
            });
            workers.add(worker);
            worker.start();
        }
        int largest = 16;
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            int capacity = slots.capacity();
            int target = 1 + ThreadLocalRandom.current().nextInt(64);
            if (target > capacity) {
                slots.grow(target - capacity);
            }
            else if (target < capacity) {
                slots.shrink(capacity - target);
            }
            largest = Math.max(largest, target);
            Thread.yield();
        }
        go.set(false);
        for (Thread worker : workers) {
            worker.join(5_000);
            assertThat(worker.isAlive()).isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(held.get()).isZero();
        assertThat(maxHeld.get()).isLessThanOrEqualTo(largest);
        assertThat(slots.free()).isEqualTo(slots.capacity());
        assertThat(slots.inUse()).isZero();
        assertThat(slots.awaitIdle(0)).isTrue();
    }
}
