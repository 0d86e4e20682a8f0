package dev.taskqueue.worker;

import dev.taskqueue.BrokerUnavailableException;
import org.slf4j.Logger;

/**
 * What a worker part does after a failed call to Redis, by the kind of failure:
 * <ol>
 * <li>Redis cannot serve ({@link BrokerUnavailableException}: unreachable, loading, failing over...): an outage,
 * transient. One warning per outage; the part resumes by itself when Redis answers.</li>
 * <li>Anything else (a script that fails on what it reads, a reply that cannot be read): it fails the same way until
 * someone mends the data, so it is reported as such. An error in the log naming what failed (again at most once a
 * minute while it lasts, with how many times), and one of the worker's {@link Problems} until a call works
 * again.</li>
 * </ol>
 * Either way the part waits, doubling from 100 ms to 5 s, and goes on with everything else it does.
 */
final class Backoff {

    static final long FIRST_MILLIS = 100;
    static final long MAX_MILLIS = 5_000;

    /** How often a failure that is not an outage is logged again while it lasts. */
    static final long REPEAT_ERROR_MILLIS = 60_000;

    private final String what;
    private final Problems problems;
    private final Logger log;
    private long nextMillis = FIRST_MILLIS;
    private boolean outage;
    private long errorLoggedAt = Long.MIN_VALUE;

    /** @param log the part's logger: what users see names the part that failed */
    Backoff(String what, Problems problems, Logger log) {
        this.what = what;
        this.problems = problems;
        this.log = log;
    }

    /** Logs and records the failure, then sleeps. */
    void failed(RuntimeException error) {
        long wait = failure(error);
        try {
            Thread.sleep(wait);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Logs and records the failure without waiting (for parts that keep their own pace); returns how long to wait
     * before the next attempt.
     */
    long failure(RuntimeException error) {
        if (error instanceof BrokerUnavailableException) {
            if (!outage) {
                outage = true;
                log.warn("Could not {}; retrying until Redis answers: {}", what, error.getMessage());
                log.debug("Failure details", error);
            }
        }
        else {
            int times = problems.failed(what, error);
            long now = problems.millis();
            if (times == 1 || now - errorLoggedAt >= REPEAT_ERROR_MILLIS) {
                errorLoggedAt = now;
                log.error("Could not {} ({} time(s) in a row). Not an outage: it fails the same way until what it "
                        + "reads is mended; the worker goes on with everything else: {}", what, times,
                        error.toString());
                log.debug("Failure details", error);
            }
        }
        long wait = nextMillis;
        nextMillis = Math.min(MAX_MILLIS, nextMillis * 2);
        return wait;
    }

    /** Resets after a call that worked, and logs the recovery. */
    void succeeded() {
        if (outage || problems.cleared(what)) {
            log.info("Could {} again", what);
        }
        outage = false;
        nextMillis = FIRST_MILLIS;
    }
}
