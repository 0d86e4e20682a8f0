package dev.taskqueue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How a failed task is retried. Every field may be unset; {@link #orElse(RetryPolicy)} fills unset fields from a
 * broader layer (the call's options, then the {@link Retry} declaration, then {@code taskqueue.retry.*}), and the
 * getters fall back to the {@code DEFAULT_*} values. Immutable.
 *
 * <p>The wait before retry {@code n} (from 1) is {@code delay × multiplier^(n-1)}, capped at {@code maxDelay}, plus
 * or minus a random amount up to {@code jitter}.
 */
public final class RetryPolicy {

    /** Retries when nothing says otherwise: none. */
    public static final int DEFAULT_MAX_RETRIES = 0;

    /**
     * Retries a task may ask for itself ({@code TaskContext.retry}) when nothing sets {@code maxRetries}: asking
     * is explicit, so it is not bounded by {@link #DEFAULT_MAX_RETRIES}, but it is bounded (Celery's default).
     */
    public static final int DEFAULT_MAX_REQUESTED_RETRIES = 3;

    /** The first wait when nothing says otherwise. */
    public static final Duration DEFAULT_DELAY = Duration.ofSeconds(1);

    /** The growth of waits when nothing says otherwise. */
    public static final double DEFAULT_MULTIPLIER = 2.0;

    /** The longest wait when nothing says otherwise. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(10);

    /** Nothing set. */
    public static final RetryPolicy UNSET = new RetryPolicy(null, null, null, null, null, List.of(), List.of());

    private final @Nullable Integer maxRetries;
    private final @Nullable Duration delay;
    private final @Nullable Double multiplier;
    private final @Nullable Duration maxDelay;
    private final @Nullable Duration jitter;
    private final List<String> includes;
    private final List<String> excludes;

    private RetryPolicy(@Nullable Integer maxRetries, @Nullable Duration delay, @Nullable Double multiplier,
            @Nullable Duration maxDelay, @Nullable Duration jitter, List<String> includes, List<String> excludes) {
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        if (multiplier != null && multiplier < 1) {
            throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        }
        this.maxRetries = maxRetries;
        this.delay = delay;
        this.multiplier = multiplier;
        this.maxDelay = maxDelay;
        this.jitter = jitter;
        this.includes = List.copyOf(includes);
        this.excludes = List.copyOf(excludes);
    }

    /** Retries up to {@code maxRetries} times with the default backoff. */
    public static RetryPolicy maxRetries(int maxRetries) {
        return UNSET.withMaxRetries(maxRetries);
    }

    public RetryPolicy withMaxRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, jitter, includes, excludes);
    }

    public RetryPolicy withDelay(Duration delay) {
        return new RetryPolicy(maxRetries, positive(delay, "delay"), multiplier, maxDelay, jitter, includes, excludes);
    }

    public RetryPolicy withMultiplier(double multiplier) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, jitter, includes, excludes);
    }

    public RetryPolicy withMaxDelay(Duration maxDelay) {
        return new RetryPolicy(maxRetries, delay, multiplier, positive(maxDelay, "maxDelay"), jitter, includes,
                excludes);
    }

    public RetryPolicy withJitter(Duration jitter) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, notNegative(jitter, "jitter"), includes,
                excludes);
    }

    /** Retries only on these exception types (and their subclasses). */
    @SafeVarargs
    public final RetryPolicy withIncludes(Class<? extends Throwable>... types) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, jitter, names(types), excludes);
    }

    /** Never retries on these exception types (and their subclasses). */
    @SafeVarargs
    public final RetryPolicy withExcludes(Class<? extends Throwable>... types) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, jitter, includes, names(types));
    }

    /** The same, with exception types given by class name (as they travel in messages). */
    public RetryPolicy withExceptionNames(List<String> includes, List<String> excludes) {
        return new RetryPolicy(maxRetries, delay, multiplier, maxDelay, jitter, includes, excludes);
    }

    /** This policy, with every unset field taken from {@code fallback}. */
    public RetryPolicy orElse(RetryPolicy fallback) {
        return new RetryPolicy(maxRetries != null ? maxRetries : fallback.maxRetries,
                delay != null ? delay : fallback.delay, multiplier != null ? multiplier : fallback.multiplier,
                maxDelay != null ? maxDelay : fallback.maxDelay, jitter != null ? jitter : fallback.jitter,
                includes.isEmpty() ? fallback.includes : includes, excludes.isEmpty() ? fallback.excludes : excludes);
    }

    public int maxRetries() {
        return maxRetries != null ? maxRetries : DEFAULT_MAX_RETRIES;
    }

    public Duration delay() {
        return delay != null ? delay : DEFAULT_DELAY;
    }

    public double multiplier() {
        return multiplier != null ? multiplier : DEFAULT_MULTIPLIER;
    }

    public Duration maxDelay() {
        return maxDelay != null ? maxDelay : DEFAULT_MAX_DELAY;
    }

    public Duration jitter() {
        return jitter != null ? jitter : Duration.ZERO;
    }

    public List<String> includes() {
        return includes;
    }

    public List<String> excludes() {
        return excludes;
    }

    /** Whether any field is set. */
    public boolean isSet() {
        return !equals(UNSET);
    }

    /**
     * The wait before retry number {@code retry} (from 1).
     *
     * @param random a number in [0, 1) that places the jitter
     */
    public Duration delayBefore(int retry, double random) {
        double millis = delay().toMillis() * Math.pow(multiplier(), Math.max(0, retry - 1));
        millis = Math.min(millis, maxDelay().toMillis());
        millis += (random * 2 - 1) * jitter().toMillis();
        return Duration.ofMillis(Math.max(0, Math.round(millis)));
    }

    /** Whether an error of this type, raised on attempt {@code attempt} (from 1), is retried. */
    public boolean retries(Throwable error, int attempt) {
        if (attempt > maxRetries()) {
            return false;
        }
        if (matches(error.getClass(), excludes)) {
            return false;
        }
        return includes.isEmpty() || matches(error.getClass(), includes);
    }

    private static boolean matches(Class<?> type, List<String> names) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (names.contains(c.getName())) {
                return true;
            }
            for (Class<?> iface : c.getInterfaces()) {
                if (names.contains(iface.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> names(Class<?>[] types) {
        List<String> names = new ArrayList<>();
        for (Class<?> type : types) {
            names.add(type.getName());
        }
        return names;
    }

    private static Duration positive(Duration value, String name) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration notNegative(Duration value, String name) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /** The set fields, for messages: maxRetries, delay, multiplier, maxDelay, jitter (ms), includes, excludes. */
    public @Nullable Integer maxRetriesOrNull() {
        return maxRetries;
    }

    public @Nullable Duration delayOrNull() {
        return delay;
    }

    public @Nullable Double multiplierOrNull() {
        return multiplier;
    }

    public @Nullable Duration maxDelayOrNull() {
        return maxDelay;
    }

    public @Nullable Duration jitterOrNull() {
        return jitter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy other && Objects.equals(maxRetries, other.maxRetries)
                && Objects.equals(delay, other.delay) && Objects.equals(multiplier, other.multiplier)
                && Objects.equals(maxDelay, other.maxDelay) && Objects.equals(jitter, other.jitter)
                && includes.equals(other.includes) && excludes.equals(other.excludes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRetries, delay, multiplier, maxDelay, jitter, includes, excludes);
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxRetries=" + maxRetries() + ", delay=" + delay() + ", multiplier=" + multiplier()
                + ", maxDelay=" + maxDelay() + ", jitter=" + jitter() + (includes.isEmpty() ? "" : ", includes="
                + includes) + (excludes.isEmpty() ? "" : ", excludes=" + excludes) + "}";
    }
}
