package dev.taskqueue.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.Broker.Promotion;
import dev.taskqueue.event.TaskEventListener;
import org.jspecify.annotations.Nullable;
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

    private final Broker broker;
    private final List<String> queues;
    private final TaskEventListener listener;
    private final Map<String, Backoff> backoffs = new HashMap<>();
    private final WorkerLoop loop;
    private @Nullable AutoCloseable subscription;

    Promoter(WorkerContext worker) {
        this.broker = worker.broker();
        this.queues = worker.settings().queueNames();
        this.listener = worker.listener();
        queues.forEach(queue -> backoffs.put(queue, worker.backoff("promote the delayed tasks of queue '" + queue
                + "'", log)));
        this.loop = worker.loop("promoter", this::promoteDue); // each queue's failures are its own: see promoteDue
    }

    void start() {
        try {
            subscription = broker.onEarlierDue(queue -> {
                if (queues.contains(queue)) {
                    loop.wakeUp();
                }
            });
        }
        catch (RuntimeException ex) {
            log.warn("Could not subscribe to delayed-task notices ({}); delayed tasks may start up to {} ms late",
                    ex.getMessage(), MAX_SLEEP_MILLIS);
        }
        loop.start();
    }

    /**
     * Each queue on its own: a queue whose promotion fails for a reason other than an outage (see {@link Backoff})
     * is tried again at the next round, and the queues after it are promoted all the same. An outage ends the round.
     * Returns how long until the next round: until the next task is due, at most {@link #MAX_SLEEP_MILLIS}.
     */
    private long promoteDue() {
        long sleep = MAX_SLEEP_MILLIS;
        for (String queue : queues) {
            Backoff backoff = backoffs.get(queue);
            try {
                Promotion promotion = broker.promoteDue(queue, BATCH);
                promotion.quarantined().forEach(q -> Endings.quarantined(listener, queue, q.taskId(), q.reason()));
                if (promotion.promoted() + promotion.quarantined().size() >= BATCH) {
                    sleep = 0;
                }
                else if (promotion.untilNextDue() != null) {
                    sleep = Math.min(sleep, promotion.untilNextDue().toMillis());
                }
                backoff.succeeded();
            }
            catch (RuntimeException ex) {
                if (!loop.running()) {
                    return 0; // a call cut short by the stop
                }
                sleep = Math.min(sleep, backoff.failure(ex));
                if (ex instanceof BrokerUnavailableException) {
                    break;
                }
            }
        }
        return sleep;
    }

    /** Promotes nothing more, at once, without a word to Redis (after a fatal error). */
    void halt() {
        loop.halt();
    }

    void stop() {
        loop.requestStop();
        if (subscription != null) {
            try {
                subscription.close();
            }
            catch (Exception ex) {
                log.debug("Could not unsubscribe from delayed-task notices", ex);
            }
        }
        loop.stop(Duration.ofSeconds(5));
    }
}
