package dev.taskqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Per-call options of a submission. Immutable: every {@code with...} method returns a copy.
 *
 * <pre>{@code
 * taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(30)).priority(9))
 *           .submit(Thumbnails::make, "img-42", 200);
 * }</pre>
 *
 * An option left unset falls back to the task's {@link Task} declaration, then to the configured defaults. That
 * holds for the execution policies too ({@link #retry(RetryPolicy)}, time limits, rate and concurrency limits,
 * uniqueness): a call can tighten or relax what the task declares.
 */
public final class TaskOptions {

    /** The lowest priority, and the default. */
    public static final int MIN_PRIORITY = 0;

    /** The highest priority. */
    public static final int MAX_PRIORITY = 9;

    private static final TaskOptions DEFAULTS = new TaskOptions(new Fields());

    /** The options' values; copied, changed and frozen by each {@code with}-style method. */
    private static final class Fields implements Cloneable {
        @Nullable String queue;
        @Nullable Duration countdown;
        @Nullable Instant eta;
        @Nullable Duration expiresIn;
        @Nullable Instant expiresAt;
        @Nullable Integer priority;
        @Nullable String taskId;
        Map<String, String> headers = Map.of();
        TaskPolicies policies = TaskPolicies.NONE;
        @Nullable TransactionMode transactionMode;

        Fields copy() {
            try {
                return (Fields) clone();
            }
            catch (CloneNotSupportedException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    private final Fields f;

    private TaskOptions(Fields fields) {
        this.f = fields;
    }

    private TaskOptions with(Consumer<Fields> change) {
        Fields copy = f.copy();
        change.accept(copy);
        return new TaskOptions(copy);
    }

    /** No option set. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /** Submits to this queue instead of the task's own. */
    public TaskOptions queue(String queue) {
        Objects.requireNonNull(queue, "queue");
        return with(o -> o.queue = queue);
    }

    /** Runs the task no sooner than this long after the submission (replaces an eta). */
    public TaskOptions countdown(Duration countdown) {
        if (countdown.isNegative()) {
            throw new IllegalArgumentException("countdown must not be negative, got " + countdown);
        }
        return with(o -> {
            o.countdown = countdown;
            o.eta = null;
        });
    }

    /** Runs the task no sooner than this instant (replaces a countdown). */
    public TaskOptions eta(Instant eta) {
        Objects.requireNonNull(eta, "eta");
        return with(o -> {
            o.eta = eta;
            o.countdown = null;
        });
    }

    /** Does not run the task if it has not started this long after the submission. */
    public TaskOptions expiresIn(Duration expiresIn) {
        if (expiresIn.isNegative() || expiresIn.isZero()) {
            throw new IllegalArgumentException("expiresIn must be positive, got " + expiresIn);
        }
        return with(o -> {
            o.expiresIn = expiresIn;
            o.expiresAt = null;
        });
    }

    /** Does not run the task if it has not started by this instant. */
    public TaskOptions expiresAt(Instant expiresAt) {
        Objects.requireNonNull(expiresAt, "expiresAt");
        return with(o -> {
            o.expiresAt = expiresAt;
            o.expiresIn = null;
        });
    }

    /** Priority from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY} (most urgent). */
    public TaskOptions priority(int priority) {
        checkPriority(priority);
        return with(o -> o.priority = priority);
    }

    /**
     * Uses this id instead of a generated one. Submitting an id that is already queued, running or finished
     * (while its result is kept) does nothing and returns a handle to the existing task: retrying a submission
     * with the same id is safe.
     */
    public TaskOptions taskId(String taskId) {
        TaskIds.check(taskId);
        return with(o -> o.taskId = taskId);
    }

    /** Adds a header that travels with the task (trace context, tenant, your own). */
    public TaskOptions header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        return with(o -> {
            Map<String, String> copy = new LinkedHashMap<>(o.headers);
            copy.put(name, value);
            o.headers = Collections.unmodifiableMap(copy);
        });
    }

    /** Sets all execution policies at once, replacing those set before. */
    public TaskOptions policies(TaskPolicies policies) {
        Objects.requireNonNull(policies, "policies");
        return with(o -> o.policies = policies);
    }

    /** Retries this call by this policy (its unset fields come from the task's {@link Retry}, then the defaults). */
    public TaskOptions retry(RetryPolicy retry) {
        return with(o -> o.policies = o.policies.withRetry(retry));
    }

    /** Time limits for this call (either may be null: the task's own applies). See {@link TimeLimit}. */
    public TaskOptions timeLimits(@Nullable Duration soft, @Nullable Duration hard) {
        return with(o -> o.policies = o.policies.withTimeLimits(soft, hard));
    }

    /** A global rate limit for this call, such as {@code 100/s} (see {@link RateLimit}). */
    public TaskOptions rateLimit(String rateLimit) {
        RateLimit parsed = RateLimit.parse(rateLimit);
        return with(o -> o.policies = o.policies.withRateLimit(parsed));
    }

    /** At most {@code limit} runs at once per value of {@code key} (see {@link Concurrency}). */
    public TaskOptions concurrency(int limit, String key) {
        TaskPolicies.ConcurrencyLimit concurrency = new TaskPolicies.ConcurrencyLimit(limit, key);
        return with(o -> o.policies = o.policies.withConcurrency(concurrency));
    }

    /** Makes this call unique by {@code key} (see {@link Unique}). */
    public TaskOptions unique(String key, Unique.Mode mode, @Nullable Duration window) {
        TaskPolicies.Uniqueness unique = new TaskPolicies.Uniqueness(key, mode, window);
        return with(o -> o.policies = o.policies.withUnique(unique));
    }

    /**
     * How this submission goes with the Spring transaction it is made in (see {@link TransactionMode}); unset, the
     * application's {@code taskqueue.submit.transactions} applies. Outside a transaction every mode sends at once.
     */
    public TaskOptions transactionMode(TransactionMode mode) {
        Objects.requireNonNull(mode, "mode");
        return with(o -> o.transactionMode = mode);
    }

    /** These options, overridden by every option set in {@code other}. */
    public TaskOptions merge(TaskOptions other) {
        if (other == DEFAULTS) {
            return this;
        }
        Fields b = other.f;
        return with(o -> {
            if (b.queue != null) {
                o.queue = b.queue;
            }
            if (b.countdown != null || b.eta != null) {
                o.countdown = b.countdown;
                o.eta = b.eta;
            }
            if (b.expiresIn != null || b.expiresAt != null) {
                o.expiresIn = b.expiresIn;
                o.expiresAt = b.expiresAt;
            }
            if (b.priority != null) {
                o.priority = b.priority;
            }
            if (b.taskId != null) {
                o.taskId = b.taskId;
            }
            if (!b.headers.isEmpty()) {
                Map<String, String> copy = new LinkedHashMap<>(o.headers);
                copy.putAll(b.headers);
                o.headers = Collections.unmodifiableMap(copy);
            }
            o.policies = b.policies.orElse(o.policies);
            if (b.transactionMode != null) {
                o.transactionMode = b.transactionMode;
            }
        });
    }

    public @Nullable String getQueue() {
        return f.queue;
    }

    public @Nullable Duration getCountdown() {
        return f.countdown;
    }

    public @Nullable Instant getEta() {
        return f.eta;
    }

    public @Nullable Duration getExpiresIn() {
        return f.expiresIn;
    }

    public @Nullable Instant getExpiresAt() {
        return f.expiresAt;
    }

    public @Nullable Integer getPriority() {
        return f.priority;
    }

    public @Nullable String getTaskId() {
        return f.taskId;
    }

    public Map<String, String> getHeaders() {
        return f.headers;
    }

    /** The execution policies set for this call. */
    public TaskPolicies getPolicies() {
        return f.policies;
    }

    /** How this submission goes with a transaction, or null for the application's setting. */
    public @Nullable TransactionMode getTransactionMode() {
        return f.transactionMode;
    }

    static void checkPriority(int priority) {
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException(
                    "priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + priority);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskOptions other && Objects.equals(f.queue, other.f.queue)
                && Objects.equals(f.countdown, other.f.countdown) && Objects.equals(f.eta, other.f.eta)
                && Objects.equals(f.expiresIn, other.f.expiresIn) && Objects.equals(f.expiresAt, other.f.expiresAt)
                && Objects.equals(f.priority, other.f.priority) && Objects.equals(f.taskId, other.f.taskId)
                && f.headers.equals(other.f.headers) && f.policies.equals(other.f.policies)
                && f.transactionMode == other.f.transactionMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(f.queue, f.countdown, f.eta, f.expiresIn, f.expiresAt, f.priority, f.taskId, f.headers,
                f.policies, f.transactionMode);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TaskOptions{");
        append(s, "queue", f.queue);
        append(s, "countdown", f.countdown);
        append(s, "eta", f.eta);
        append(s, "expiresIn", f.expiresIn);
        append(s, "expiresAt", f.expiresAt);
        append(s, "priority", f.priority);
        append(s, "taskId", f.taskId);
        if (!f.headers.isEmpty()) {
            append(s, "headers", f.headers);
        }
        if (!f.policies.equals(TaskPolicies.NONE)) {
            append(s, "policies", f.policies);
        }
        append(s, "transactionMode", f.transactionMode);
        if (s.charAt(s.length() - 1) == ' ') {
            s.setLength(s.length() - 2);
        }
        return s.append('}').toString();
    }

    private static void append(StringBuilder s, String name, @Nullable Object value) {
        if (value != null) {
            s.append(name).append('=').append(value).append(", ");
        }
    }
}
