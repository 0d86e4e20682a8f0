package dev.taskqueue.worker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.broker.Delivery;

/**
 * The tasks this worker runs right now, with their threads: the heartbeat extends their leases, a stop
 * interrupts what is still running after the shutdown timeout.
 */
final class RunningTasks {

    /** One running task. */
    static final class Running {

        final Delivery delivery;
        final Thread thread;
        volatile long leaseRenewedAt;

        Running(Delivery delivery, Thread thread, long now) {
            this.delivery = delivery;
            this.thread = thread;
            this.leaseRenewedAt = now;
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
