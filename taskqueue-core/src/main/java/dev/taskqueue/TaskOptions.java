package dev.taskqueue;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Per-call options of a submission. Immutable: every {@code with...} method returns a copy.
 *
 * <pre>{@code
 * taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(30)).priority(9))
 *           .submit(Thumbnails::make, "img-42", 200);
 * }</pre>
 *
 * An option left unset falls back to the task's {@link Task} declaration, then to the configured defaults.
 */
public final class TaskOptions {

    /** The lowest priority, and the default. */
    public static final int MIN_PRIORITY = 0;

    /** The highest priority. */
    public static final int MAX_PRIORITY = 9;

    private static final TaskOptions DEFAULTS = new TaskOptions(null, null, null, null, null, null, null, Map.of());

    private final @Nullable String queue;
    private final @Nullable Duration countdown;
    private final @Nullable Instant eta;
    private final @Nullable Duration expiresIn;
    private final @Nullable Instant expiresAt;
    private final @Nullable Integer priority;
    private final @Nullable String taskId;
    private final Map<String, String> headers;

    private TaskOptions(@Nullable String queue, @Nullable Duration countdown, @Nullable Instant eta,
            @Nullable Duration expiresIn, @Nullable Instant expiresAt, @Nullable Integer priority,
            @Nullable String taskId, Map<String, String> headers) {
        this.queue = queue;
        this.countdown = countdown;
        this.eta = eta;
        this.expiresIn = expiresIn;
        this.expiresAt = expiresAt;
        this.priority = priority;
        this.taskId = taskId;
        this.headers = headers;
    }

    /** No option set. */
    public static TaskOptions defaults() {
        return DEFAULTS;
    }

    /** Submits to this queue instead of the task's own. */
    public TaskOptions queue(String queue) {
        return new TaskOptions(Objects.requireNonNull(queue, "queue"), countdown, eta, expiresIn, expiresAt,
                priority, taskId, headers);
    }

    /** Runs the task no sooner than this long after the submission (replaces an eta). */
    public TaskOptions countdown(Duration countdown) {
        if (countdown.isNegative()) {
            throw new IllegalArgumentException("countdown must not be negative, got " + countdown);
        }
        return new TaskOptions(queue, countdown, null, expiresIn, expiresAt, priority, taskId, headers);
    }

    /** Runs the task no sooner than this instant (replaces a countdown). */
    public TaskOptions eta(Instant eta) {
        return new TaskOptions(queue, null, Objects.requireNonNull(eta, "eta"), expiresIn, expiresAt, priority,
                taskId, headers);
    }

    /** Does not run the task if it has not started this long after the submission. */
    public TaskOptions expiresIn(Duration expiresIn) {
        if (expiresIn.isNegative() || expiresIn.isZero()) {
            throw new IllegalArgumentException("expiresIn must be positive, got " + expiresIn);
        }
        return new TaskOptions(queue, countdown, eta, expiresIn, null, priority, taskId, headers);
    }

    /** Does not run the task if it has not started by this instant. */
    public TaskOptions expiresAt(Instant expiresAt) {
        return new TaskOptions(queue, countdown, eta, null, Objects.requireNonNull(expiresAt, "expiresAt"),
                priority, taskId, headers);
    }

    /** Priority from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY} (most urgent). */
    public TaskOptions priority(int priority) {
        checkPriority(priority);
        return new TaskOptions(queue, countdown, eta, expiresIn, expiresAt, priority, taskId, headers);
    }

    /**
     * Uses this id instead of a generated one. Submitting an id that is already queued, running or finished
     * (while its result is kept) does nothing and returns a handle to the existing task: retrying a submission
     * with the same id is safe.
     */
    public TaskOptions taskId(String taskId) {
        TaskIds.check(taskId);
        return new TaskOptions(queue, countdown, eta, expiresIn, expiresAt, priority, taskId, headers);
    }

    /** Adds a header that travels with the task (trace context, tenant, your own). */
    public TaskOptions header(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new TaskOptions(queue, countdown, eta, expiresIn, expiresAt, priority, taskId,
                Collections.unmodifiableMap(copy));
    }

    /** These options, overridden by every option set in {@code other}. */
    public TaskOptions merge(TaskOptions other) {
        if (other == DEFAULTS) {
            return this;
        }
        Map<String, String> mergedHeaders = headers;
        if (!other.headers.isEmpty()) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.putAll(other.headers);
            mergedHeaders = Collections.unmodifiableMap(copy);
        }
        boolean otherDelays = other.countdown != null || other.eta != null;
        boolean otherExpires = other.expiresIn != null || other.expiresAt != null;
        return new TaskOptions(
                other.queue != null ? other.queue : queue,
                otherDelays ? other.countdown : countdown,
                otherDelays ? other.eta : eta,
                otherExpires ? other.expiresIn : expiresIn,
                otherExpires ? other.expiresAt : expiresAt,
                other.priority != null ? other.priority : priority,
                other.taskId != null ? other.taskId : taskId,
                mergedHeaders);
    }

    public @Nullable String getQueue() {
        return queue;
    }

    public @Nullable Duration getCountdown() {
        return countdown;
    }

    public @Nullable Instant getEta() {
        return eta;
    }

    public @Nullable Duration getExpiresIn() {
        return expiresIn;
    }

    public @Nullable Instant getExpiresAt() {
        return expiresAt;
    }

    public @Nullable Integer getPriority() {
        return priority;
    }

    public @Nullable String getTaskId() {
        return taskId;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }

    static void checkPriority(int priority) {
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException(
                    "priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + priority);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskOptions other && Objects.equals(queue, other.queue)
                && Objects.equals(countdown, other.countdown) && Objects.equals(eta, other.eta)
                && Objects.equals(expiresIn, other.expiresIn) && Objects.equals(expiresAt, other.expiresAt)
                && Objects.equals(priority, other.priority) && Objects.equals(taskId, other.taskId)
                && headers.equals(other.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queue, countdown, eta, expiresIn, expiresAt, priority, taskId, headers);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TaskOptions{");
        append(s, "queue", queue);
        append(s, "countdown", countdown);
        append(s, "eta", eta);
        append(s, "expiresIn", expiresIn);
        append(s, "expiresAt", expiresAt);
        append(s, "priority", priority);
        append(s, "taskId", taskId);
        if (!headers.isEmpty()) {
            append(s, "headers", headers);
        }
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
