package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.taskqueue.broker.Delivery;
import org.jspecify.annotations.Nullable;

/**
 * The tasks this worker runs right now, with their threads: the heartbeat extends their leases and permits,
 * revocations and time limits interrupt them, a stop interrupts what is still running after the shutdown
 * timeout.
 */
final class RunningTasks {

    /** One running task. */
    static final class Running {

        final Delivery delivery;
        final Thread thread;
        final long startedAt;
        volatile long leaseRenewedAt;
        /** Set once, by whoever produces the outcome: the task's thread, or the hard time limit. */
        final AtomicBoolean finished = new AtomicBoolean();
        volatile @Nullable RunContext context;
        volatile @Nullable String permitKey;
        volatile @Nullable ScheduledFuture<?> softTimer;
        volatile @Nullable ScheduledFuture<?> hardTimer;
        /**
         * For a run abandoned at its hard time limit: the extra pool thread lent in its place, until its own thread
         * ends. Whichever comes second, the loan or the end, gives it back ({@link #threadBack}).
         */
        private final AtomicReference<@Nullable Runnable> lentThread = new AtomicReference<>();

        private static final Runnable THREAD_BACK = () -> { };

        /** Records a thread lent in place of this run's stuck one; gives it back at once if that one ended. */
        void lent(Runnable giveBack) {
            if (!lentThread.compareAndSet(null, giveBack)) {
                giveBack.run();
            }
        }

        /** This run's thread ended after its hard time limit: gives back the thread lent in its place, if any. */
        void threadBack() {
            Runnable giveBack = lentThread.getAndSet(THREAD_BACK);
            if (giveBack != null && giveBack != THREAD_BACK) {
                giveBack.run();
            }
        }

        Running(Delivery delivery, Thread thread, long now) {
            this.delivery = delivery;
            this.thread = thread;
            this.startedAt = now;
            this.leaseRenewedAt = now;
        }

        void cancelTimers() {
            ScheduledFuture<?> soft = softTimer;
            if (soft != null) {
                soft.cancel(false);
            }
            ScheduledFuture<?> hard = hardTimer;
            if (hard != null) {
                hard.cancel(false);
            }
        }
    }

    private final Map<String, Running> byEntry = new ConcurrentHashMap<>();

    Running add(Delivery delivery, long now) {
        Running running = new Running(delivery, Thread.currentThread(), now);
        byEntry.put(key(delivery), running);
        return running;
    }

    void remove(Delivery delivery) {
        byEntry.remove(key(delivery));
    }

    Collection<Running> all() {
        return byEntry.values();
    }

    /** The running tasks with this id in this queue (in any queue when null): one, normally. */
    List<Running> withTask(@Nullable String queue, String taskId) {
        List<Running> found = new ArrayList<>();
        for (Running running : byEntry.values()) {
            if (running.delivery.taskId().equals(taskId) && (queue == null || running.delivery.queue().equals(queue))) {
                found.add(running);
            }
        }
        return found;
    }

    /** Tasks whose lease was last renewed before {@code before}. */
    List<Running> leasesOlderThan(long before) {
        List<Running> old = new ArrayList<>();
        for (Running running : byEntry.values()) {
            if (running.leaseRenewedAt < before) {
                old.add(running);
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
