package dev.taskqueue.actuate.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reading of Redis that serves gauges, taken at most once per {@code ttl}, however many gauges are scraped.
 * <p>
 * A scrape never waits for Redis once the first reading exists: a scrape that finds the reading stale starts a
 * refresh on a background thread and reads the previous reading meanwhile. Otherwise, with Redis down, every scrape
 * would wait up to the command timeout, the scrape would time out, and the application's other metrics would be lost
 * just when they matter. The first reading is taken on the scrape's thread so that the first scrape shows real
 * values. When Redis cannot be reached, the last reading stays.
 *
 * @param <T> what is read
 */
final class RefreshedReading<T> {

    private static final Logger log = LoggerFactory.getLogger(RefreshedReading.class);

    private final String what;
    private final long ttlNanos;
    private final Supplier<T> read;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Taken<T> taken;

    /**
     * @param what what is read, for the log: {@code "the queue counts"}
     * @param initial what the gauges show until a first reading succeeds
     * @param read takes a reading (it may throw when Redis cannot be reached)
     */
    RefreshedReading(String what, Duration ttl, T initial, Supplier<T> read) {
        this.what = what;
        this.ttlNanos = ttl.toNanos();
        this.read = read;
        this.taken = new Taken<>(initial, Long.MIN_VALUE);
    }

    /** The reading; a stale one starts a refresh in the background (the first one is taken right away). */
    T current() {
        Taken<T> current = taken;
        if (!current.staleAt(System.nanoTime(), ttlNanos) || !refreshing.compareAndSet(false, true)) {
            return current.value();
        }
        if (current.atNanos() == Long.MIN_VALUE) {
            refreshNow();
            return taken.value();
        }
        Thread refresher = new Thread(this::refreshNow, "taskqueue-metrics-refresh");
        refresher.setDaemon(true);
        try {
            refresher.start();
        }
        catch (RuntimeException | Error ex) {
            refreshing.set(false);
            throw ex;
        }
        return current.value();
    }

    /** Takes a reading; called by the one thread that set {@code refreshing}. */
    private void refreshNow() {
        try {
            T value;
            try {
                value = read.get();
            }
            catch (RuntimeException ex) {
                log.debug("Could not read {}; the gauges keep their last values", what, ex);
                value = taken.value();
            }
            taken = new Taken<>(value, System.nanoTime());
        }
        finally {
            refreshing.set(false);
        }
    }

    /**
     * A value and when it was read.
     *
     * @param atNanos when it was read ({@code Long.MIN_VALUE}: never)
     */
    private record Taken<T>(T value, long atNanos) {

        boolean staleAt(long nowNanos, long maxAgeNanos) {
            return atNanos == Long.MIN_VALUE || nowNanos - atNanos >= maxAgeNanos;
        }
    }
}
