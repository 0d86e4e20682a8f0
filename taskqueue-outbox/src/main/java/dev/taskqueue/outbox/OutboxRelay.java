package dev.taskqueue.outbox;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop that moves committed outbox rows to Redis, on one daemon thread per instance
 * ({@value #THREAD_NAME}); every instance runs one, and they share the table without a leader because a round skips
 * the rows another relay holds.
 * <ol>
 * <li>A round takes up to {@code batchSize} rows ({@link JdbcOutboxStore#relayRound}).</li>
 * <li>After a full round it runs again at once: there may be more.</li>
 * <li>Otherwise it waits for {@link #wake()} (called on a local commit, so commit → Redis takes milliseconds) or,
 * as the fallback for other instances' commits, for {@code pollInterval}.</li>
 * <li>After a failing round (Redis or the database down) it backs off, doubling up to {@link #MAX_BACKOFF}, and
 * ignores wakes meanwhile, so that every commit does not hammer what is down; a wake during the backoff is kept for
 * its end. It logs once when an outage starts and once when it ends.</li>
 * </ol>
 */
public class OutboxRelay {

    /** The relay thread's name. */
    public static final String THREAD_NAME = "taskqueue-outbox-relay";

    /** How often the relay looks for rows without a wake, when {@code taskqueue.outbox.poll-interval} is not set. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    /** How many rows a round takes at most, when {@code taskqueue.outbox.batch-size} is not set. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    /** The first wait after a failing round. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    /** The longest wait between failing rounds: an outage's end is noticed within this. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final JdbcOutboxStore store;
    private final RowSender sender;
    private final int batchSize;
    private final Duration pollInterval;
    private final Object monitor = new Object();
    private boolean woken;
    private boolean stopping;
    private @Nullable Thread thread;
    private volatile boolean failing;

    /**
     * @param store the table to relay
     * @param sender writes the rows to Redis
     * @param batchSize how many rows a round takes at most
     * @param pollInterval how long the relay waits for a wake before it looks anyway
     */
    public OutboxRelay(JdbcOutboxStore store, RowSender sender, int batchSize, Duration pollInterval) {
        if (batchSize < 1 || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("The outbox relay needs a batch size of at least 1 and a positive poll "
                    + "interval (taskqueue.outbox.batch-size, taskqueue.outbox.poll-interval); got " + batchSize
                    + " and " + pollInterval);
        }
        this.store = store;
        this.sender = sender;
        this.batchSize = batchSize;
        this.pollInterval = pollInterval;
    }

    /** Starts the relay thread; does nothing when it runs. */
    public void start() {
        synchronized (monitor) {
            if (thread != null && thread.isAlive()) {
                return;
            }
            stopping = false;
            Thread started = new Thread(this::run, THREAD_NAME);
            started.setDaemon(true);
            thread = started;
            started.start();
        }
    }

    /** Makes the relay run a round now (after a backoff, when it is backing off). Cheap; never blocks. */
    public void wake() {
        synchronized (monitor) {
            woken = true;
            monitor.notifyAll();
        }
    }

    /** Whether the relay thread runs. */
    public boolean isRunning() {
        synchronized (monitor) {
            return thread != null && thread.isAlive();
        }
    }

    /** Whether the last round failed (Redis or the database down). */
    public boolean isFailing() {
        return failing;
    }

    /**
     * Stops the relay: lets the current round finish (its transaction commits or rolls back, so no row is lost),
     * waiting at most {@code timeout}, then interrupts it.
     *
     * @return whether the thread ended within the timeout
     */
    public boolean stop(Duration timeout) {
        Thread running;
        synchronized (monitor) {
            running = thread;
            stopping = true;
            monitor.notifyAll();
        }
        if (running == null) {
            return true;
        }
        try {
            running.join(Math.max(1, timeout.toMillis()));
            if (running.isAlive()) {
                log.warn("The outbox relay did not finish its round within {}; interrupting it. Its rows stay in the "
                        + "table unless that round committed.", timeout);
                running.interrupt();
                running.join(Math.max(1, timeout.toMillis()));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        synchronized (monitor) {
            if (thread == running && !running.isAlive()) {
                thread = null;
            }
        }
        return !running.isAlive();
    }

    private void run() {
        Duration backoff = Duration.ZERO;
        try {
            while (!stopRequested()) {
                boolean full;
                try {
                    full = store.relayRound(batchSize, sender) >= batchSize;
                    recovered();
                    backoff = Duration.ZERO;
                }
                catch (RuntimeException ex) {
                    outage(ex);
                    backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
                    full = false;
                }
                if (!full) {
                    pause(backoff.isZero() ? pollInterval : backoff, backoff.isZero());
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        catch (Error ex) {
            log.error("The outbox relay stopped on an error: committed rows wait in the table {} until the "
                    + "application restarts (health reports them once they are older than taskqueue.outbox.max-lag)",
                    store.table().name(), ex);
            throw ex;
        }
    }

    /** Whether to stop; clears the wake flag, since the round about to run serves every wake so far. */
    private boolean stopRequested() {
        synchronized (monitor) {
            woken = false;
            return stopping;
        }
    }

    private void pause(Duration duration, boolean wakeable) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (monitor) {
            while (!stopping && !(wakeable && woken)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
    }

    private void outage(RuntimeException ex) {
        if (failing) {
            log.debug("The outbox relay's round failed again", ex);
            return;
        }
        failing = true;
        if (ex instanceof OutboxSendException) {
            log.warn("The outbox relay cannot send rows to Redis; they stay in the table {} and are sent when Redis "
                    + "answers again (retrying every {} at most). Check that Redis runs and that "
                    + "spring.data.redis.* points at it.", store.table().name(), MAX_BACKOFF, ex);
        }
        else {
            log.warn("The outbox relay cannot read the table {}; committed rows wait there and are sent when the "
                    + "database answers again (retrying every {} at most). Check the database, and that the table "
                    + "exists (taskqueue.outbox.initialize-schema, or {}).", store.table().name(), MAX_BACKOFF,
                    store.table().dialect().schemaScript(), ex);
        }
    }

    private void recovered() {
        if (failing) {
            failing = false;
            log.info("The outbox relay sends rows again");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
