package dev.taskqueue.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Broker.Promotion;
import dev.taskqueue.event.TaskEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves delayed tasks (countdown, eta) to their queue when they are due. Delayed tasks live in Redis, never in
 * worker memory: the promoter only learns from each promotion how long until the next one is due, sleeps that
 * long, and is woken early when a producer adds a task due sooner. Every worker runs one; the promotion script
 * is atomic, so they cannot move a task twice.
 */
final class Promoter {

    private static final Logger log = LoggerFactory.getLogger(Promoter.class);

    /** Tasks moved per script call; a full batch means more are due, so it runs again at once. */
    static final int BATCH = 500;

    /** The longest sleep: a safety net should a wake-up notice be missed. */
    static final long MAX_SLEEP_MILLIS = 1_000;

    private final String workerId;
    private final Broker broker;
    private final List<String> queues;
    private final TaskEventListener listener;
    private final Map<String, Backoff> backoffs = new HashMap<>();
    private final FatalErrors fatal;
    private final Object wake = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;
    private AutoCloseable subscription;

    Promoter(String workerId, Broker broker, List<String> queues, TaskEventListener listener, Problems problems,
            FatalErrors fatal) {
        this.fatal = fatal;
        this.workerId = workerId;
        this.broker = broker;
        this.queues = queues;
        this.listener = listener;
        queues.forEach(queue -> backoffs.put(queue, new Backoff("promote the delayed tasks of queue '" + queue + "'",
                problems)));
    }

    void start() {
        running = true;
        try {
            subscription = broker.onEarlierDue(queue -> {
                if (queues.contains(queue)) {
                    wakeUp();
                }
            });
        }
        catch (RuntimeException ex) {
            log.warn("Could not subscribe to delayed-task notices ({}); delayed tasks may start up to {} ms late",
                    ex.getMessage(), MAX_SLEEP_MILLIS);
        }
        thread = TaskThreads.daemon("taskqueue-promoter-" + workerId, this::loop, fatal);
        thread.start();
    }

    /**
     * Each queue on its own: a queue whose promotion fails for a reason other than an outage (see {@link Backoff})
     * is tried again at the next round, and the queues after it are promoted all the same. An outage ends the round.
     */
    private void loop() {
        while (running) {
            long sleep = MAX_SLEEP_MILLIS;
            for (String queue : queues) {
                Backoff backoff = backoffs.get(queue);
                try {
                    Promotion promotion = broker.promoteDue(queue, BATCH);
                    promotion.quarantined().forEach(q -> Endings.quarantined(listener, queue, q.taskId(),
                            q.reason()));
                    if (promotion.promoted() + promotion.quarantined().size() >= BATCH) {
                        sleep = 0;
                    }
                    else if (promotion.untilNextDue() != null) {
                        sleep = Math.min(sleep, promotion.untilNextDue().toMillis());
                    }
                    backoff.succeeded(log);
                }
                catch (RuntimeException ex) {
                    if (!running) {
                        return;
                    }
                    sleep = Math.min(sleep, backoff.failure(ex, log));
                    if (ex instanceof BrokerUnavailableException) {
                        break;
                    }
                }
            }
            sleep(sleep);
        }
    }

    private void sleep(long millis) {
        synchronized (wake) {
            try {
                if (!woken && millis > 0 && running) {
                    wake.wait(millis);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    private void wakeUp() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /** Promotes nothing more, at once, without a word to Redis (after a fatal error). */
    void halt() {
        running = false;
        TaskThreads.interrupt(thread);
    }

    void stop() {
        running = false;
        wakeUp();
        if (subscription != null) {
            try {
                subscription.close();
            }
            catch (Exception ex) {
                log.debug("Could not unsubscribe from delayed-task notices", ex);
            }
        }
        join(thread, Duration.ofSeconds(5));
    }

    static void join(Thread thread, Duration timeout) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(timeout.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
