package dev.taskqueue.worker;

import org.slf4j.Logger;

/**
 * Waits after a failed call to Redis, doubling from 100 ms to 5 s, and logs once per outage rather than once per
 * attempt. The worker part that owns it resumes by itself when Redis answers again.
 */
final class Backoff {

    static final long FIRST_MILLIS = 100;
    static final long MAX_MILLIS = 5_000;

    private final String what;
    private long nextMillis = FIRST_MILLIS;
    private boolean failing;

    Backoff(String what) {
        this.what = what;
    }

    /** Logs (the first failure of an outage) and sleeps. */
    void failed(RuntimeException error, Logger log) {
        logFailure(error, log);
        try {
            Thread.sleep(nextMillis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        nextMillis = Math.min(MAX_MILLIS, nextMillis * 2);
    }

    /** Logs the first failure of an outage, without waiting (for parts that keep their own pace). */
    void logFailure(RuntimeException error, Logger log) {
        if (!failing) {
            failing = true;
            log.warn("Could not {}; retrying until Redis answers: {}", what, error.getMessage());
            log.debug("Failure details", error);
        }
    }

    /** Resets after a call that worked, and logs the recovery. */
    void succeeded(Logger log) {
        if (failing) {
            log.info("Could {} again", what);
        }
        failing = false;
        nextMillis = FIRST_MILLIS;
    }
}
