package dev.taskqueue;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The execution policies of a task: retries, time limits, a global rate limit, a concurrency limit and
 * uniqueness. Policies come in layers: the call's options, then the {@link Task} declaration, then the
 * application's defaults ({@code taskqueue.*}); {@link #orElse(TaskPolicies)} fills what one layer leaves unset
 * from the next. Immutable.
 */
public final class TaskPolicies {

    /** Nothing set. */
    public static final TaskPolicies NONE = new TaskPolicies(RetryPolicy.UNSET, null, null, null, null, null);

    private final RetryPolicy retry;
    private final @Nullable Duration softTimeLimit;
    private final @Nullable Duration hardTimeLimit;
    private final @Nullable RateLimit rateLimit;
    private final @Nullable ConcurrencyLimit concurrency;
    private final @Nullable Uniqueness unique;

    /**
     * At most {@code limit} runs at once per value of {@code key} (an expression over the arguments, or empty).
     *
     * @param limit how many at once
     * @param key the expression whose value shares one limit ({@code #customerId}), or empty for one limit
     */
    public record ConcurrencyLimit(int limit, String key) {

        public ConcurrencyLimit {
            if (limit <= 0) {
                throw new IllegalArgumentException("A concurrency limit must be positive, got " + limit);
            }
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * How duplicate submissions collapse.
     *
     * @param key the expression over the arguments ({@code #orderId}), or {@code *}
     * @param mode how duplicates are treated
     * @param window the window (see {@link Unique#window()}), or null for the default
     */
    public record Uniqueness(String key, Unique.Mode mode, @Nullable Duration window) {

        public Uniqueness {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("A unique key must not be empty: use an expression such as "
                        + "#orderId, or * for every call");
            }
            Objects.requireNonNull(mode, "mode");
            if ((mode == Unique.Mode.WINDOW || mode == Unique.Mode.DEBOUNCE) && (window == null || window.isZero()
                    || window.isNegative())) {
                throw new IllegalArgumentException("Unique mode " + mode + " needs a positive window");
            }
        }
    }

    private TaskPolicies(RetryPolicy retry, @Nullable Duration softTimeLimit, @Nullable Duration hardTimeLimit,
            @Nullable RateLimit rateLimit, @Nullable ConcurrencyLimit concurrency, @Nullable Uniqueness unique) {
        this.retry = retry;
        this.softTimeLimit = softTimeLimit;
        this.hardTimeLimit = hardTimeLimit;
        this.rateLimit = rateLimit;
        this.concurrency = concurrency;
        this.unique = unique;
    }

    public TaskPolicies withRetry(RetryPolicy retry) {
        return new TaskPolicies(Objects.requireNonNull(retry), softTimeLimit, hardTimeLimit, rateLimit, concurrency,
                unique);
    }

    /** @throws IllegalArgumentException if both are set and the hard limit is the shorter */
    public TaskPolicies withTimeLimits(@Nullable Duration soft, @Nullable Duration hard) {
        if (soft != null && hard != null && hard.compareTo(soft) < 0) {
            throw new IllegalArgumentException("The hard time limit (" + hard + ") must not be shorter than the soft "
                    + "one (" + soft + ")");
        }
        return new TaskPolicies(retry, positive(soft), positive(hard), rateLimit, concurrency, unique);
    }

    public TaskPolicies withRateLimit(@Nullable RateLimit rateLimit) {
        return new TaskPolicies(retry, softTimeLimit, hardTimeLimit, rateLimit, concurrency, unique);
    }

    public TaskPolicies withConcurrency(@Nullable ConcurrencyLimit concurrency) {
        return new TaskPolicies(retry, softTimeLimit, hardTimeLimit, rateLimit, concurrency, unique);
    }

    public TaskPolicies withUnique(@Nullable Uniqueness unique) {
        return new TaskPolicies(retry, softTimeLimit, hardTimeLimit, rateLimit, concurrency, unique);
    }

    /**
     * These policies, with everything unset taken from {@code fallback}. Time limits from two layers that do not
     * fit (a call's soft limit of 10 minutes over a task's hard limit of 5) keep the hard one: a soft limit past
     * the hard one could never fire.
     */
    public TaskPolicies orElse(TaskPolicies fallback) {
        Duration soft = softTimeLimit != null ? softTimeLimit : fallback.softTimeLimit;
        Duration hard = hardTimeLimit != null ? hardTimeLimit : fallback.hardTimeLimit;
        return new TaskPolicies(retry.orElse(fallback.retry),
                soft != null && hard != null && hard.compareTo(soft) < 0 ? null : soft, hard,
                rateLimit != null ? rateLimit : fallback.rateLimit,
                concurrency != null ? concurrency : fallback.concurrency,
                unique != null ? unique : fallback.unique);
    }

    public RetryPolicy retry() {
        return retry;
    }

    public @Nullable Duration softTimeLimit() {
        return softTimeLimit;
    }

    public @Nullable Duration hardTimeLimit() {
        return hardTimeLimit;
    }

    public @Nullable RateLimit rateLimit() {
        return rateLimit;
    }

    public @Nullable ConcurrencyLimit concurrency() {
        return concurrency;
    }

    public @Nullable Uniqueness unique() {
        return unique;
    }

    private static @Nullable Duration positive(@Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new IllegalArgumentException("A time limit must be positive, got " + value);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskPolicies other && retry.equals(other.retry)
                && Objects.equals(softTimeLimit, other.softTimeLimit)
                && Objects.equals(hardTimeLimit, other.hardTimeLimit) && Objects.equals(rateLimit, other.rateLimit)
                && Objects.equals(concurrency, other.concurrency) && Objects.equals(unique, other.unique);
    }

    @Override
    public int hashCode() {
        return Objects.hash(retry, softTimeLimit, hardTimeLimit, rateLimit, concurrency, unique);
    }

    @Override
    public String toString() {
        return "TaskPolicies{retry=" + retry + ", softTimeLimit=" + softTimeLimit + ", hardTimeLimit=" + hardTimeLimit
                + ", rateLimit=" + rateLimit + ", concurrency=" + concurrency + ", unique=" + unique + "}";
    }
}
