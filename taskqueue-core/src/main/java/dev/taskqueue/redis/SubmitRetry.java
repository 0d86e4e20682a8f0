package dev.taskqueue.redis;

import java.time.Duration;

import dev.taskqueue.BrokerUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link RedisBroker#submit} tries again when Redis did not store a submission, as Celery retries a publish
 * ({@code retry_policy}): for a short outage, a restart, a failover or a data set being loaded, the submit waits
 * instead of failing at once.
 *
 * <p>A task is never stored twice. A submission is tried again only when Redis surely did not run it: no connection
 * could be made, or Redis refused it in a {@link TransientState} (loading, a read-only or cut-off replica, a slot
 * down or moving, busy, too few replicas); or when every task in it has a caller-chosen id, which the submit script
 * stores once however often it runs. A timeout, or a connection lost after the command was sent, is ambiguous: Redis
 * may have stored the tasks, so one with a generated id is not submitted again, and the exception says so.
 *
 * <p>Bounded: {@code maxAttempts} attempts at most, the first wait {@code delay}, each next one {@code multiplier}
 * times the previous, none longer than {@code maxDelay}; an attempt waits for Redis at most the connection's command
 * timeout. Each retry is logged, and the exception of the last attempt says how many were made.
 *
 * @param maxAttempts attempts in all, the first included: 1 never tries again
 * @param delay the wait before the second attempt
 * @param multiplier each wait is the previous one times this (1: a fixed delay)
 * @param maxDelay the longest wait between two attempts
 */
public record SubmitRetry(int maxAttempts, Duration delay, double multiplier, Duration maxDelay) {

    /**
     * Attempts when nothing says otherwise: 4, as Celery's publish (3 retries), because a retry cannot store a task
     * twice. With the default waits a submit tries for about 1.4 s: a Redis restart or a short failover, not an
     * outage.
     */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    /** The first wait when nothing says otherwise. */
    public static final Duration DEFAULT_DELAY = Duration.ofMillis(200);

    /** The growth of waits when nothing says otherwise. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** The longest wait when nothing says otherwise. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1);

    /** The defaults: 4 attempts, waiting 200, 400 and 800 ms. */
    public static final SubmitRetry DEFAULT = new SubmitRetry(DEFAULT_MAX_ATTEMPTS, DEFAULT_DELAY, DEFAULT_MULTIPLIER,
            DEFAULT_MAX_DELAY);

    /** One attempt: a submission that Redis did not store throws at once. */
    public static final SubmitRetry NEVER = new SubmitRetry(1, DEFAULT_DELAY, DEFAULT_MULTIPLIER, DEFAULT_MAX_DELAY);

    private static final Logger log = LoggerFactory.getLogger(SubmitRetry.class);

    public SubmitRetry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 (1: no retry), got " + maxAttempts);
        }
        if (delay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delay and maxDelay must not be negative, got " + delay + " and "
                    + maxDelay);
        }
        if (multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        }
    }

    /** The wait after attempt {@code attempt} (from 1) failed. */
    public Duration delayAfter(int attempt) {
        double millis = delay.toMillis() * Math.pow(multiplier, attempt - 1);
        return millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis((long) millis);
    }

    /** The longest a submit waits between attempts in all: the sum of the waits. */
    public Duration maxTotalDelay() {
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < maxAttempts; attempt++) {
            total = total.plus(delayAfter(attempt));
        }
        return total;
    }

    /**
     * After attempt {@code attempt} failed with {@code failure}: waits and returns when another may be made, else
     * throws what the caller hears.
     *
     * @param what what was attempted, for the log: {@code store 3 task(s)}
     * @param firstNanos when the first attempt started ({@link System#nanoTime()})
     * @param safe whether another attempt cannot store a task twice: Redis surely did not run the failed commands,
     *        or every task in them has a caller-chosen id
     */
    void beforeNextAttempt(String what, int attempt, long firstNanos, RuntimeException failure, boolean safe) {
        if (!(failure instanceof BrokerUnavailableException unavailable) || maxAttempts == 1) {
            throw failure; // Redis refused the command itself: another attempt would fail alike
        }
        if (!safe) {
            throw new BrokerUnavailableException(failure.getMessage() + " Not submitted again"
                    + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": Redis may have stored the task(s) "
                    + "before the failure, and a task with a generated id would then be stored twice; a task with a "
                    + "caller-chosen id (TaskOptions.taskId) is submitted again safely.", unavailable.getCause());
        }
        long elapsedMillis = (System.nanoTime() - firstNanos) / 1_000_000;
        if (attempt >= maxAttempts) {
            throw new BrokerUnavailableException(failure.getMessage() + " Gave up after " + attempt + " attempts over "
                    + elapsedMillis + " ms (taskqueue.submit.retry.*).", unavailable.getCause());
        }
        Duration wait = delayAfter(attempt);
        log.warn("Could not {} (attempt {} of {}, {} ms so far); trying again in {} ms: {}", what, attempt,
                maxAttempts, elapsedMillis, wait.toMillis(), failure.getMessage());
        try {
            Thread.sleep(wait.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }
}
