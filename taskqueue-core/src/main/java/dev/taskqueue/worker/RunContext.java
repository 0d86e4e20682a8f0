package dev.taskqueue.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.RetryRequestedException;
import dev.taskqueue.SoftTimeLimitExceededException;
import dev.taskqueue.TaskContext;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.StoredText;
import org.jspecify.annotations.Nullable;

/** The {@link TaskContext} of one run on a env. */
final class RunContext implements TaskContext {

    /** Progress reports closer together than this are merged (the last one is sent). */
    private static final long PROGRESS_INTERVAL_MILLIS = 100;

    private final Run run;
    private final TaskMessage message;
    private final @Nullable Duration softTimeLimit;
    private final RunEnvironment env;
    private final ScheduledExecutorService scheduler;
    volatile boolean softLimitExceeded;
    private long lastProgressSent;
    private double pendingFraction = -1;
    private @Nullable String pendingMessage;
    private boolean progressScheduled;

    /**
     * @param run an admitted run (its message and policies read)
     * @param scheduler sends a progress report held back by {@link #PROGRESS_INTERVAL_MILLIS}
     */
    RunContext(Run run, RunEnvironment env, ScheduledExecutorService scheduler) {
        this.run = run;
        this.message = run.message();
        this.softTimeLimit = run.policies().softTimeLimit();
        this.env = env;
        this.scheduler = scheduler;
    }

    @Override
    public String taskId() {
        return message.id();
    }

    @Override
    public String taskName() {
        return message.task();
    }

    @Override
    public String queue() {
        return message.queue();
    }

    @Override
    public int attempt() {
        return message.attempt() + 1;
    }

    @Override
    public Map<String, String> headers() {
        return message.headers();
    }

    @Override
    public String workerId() {
        return env.workerId();
    }

    @Override
    public synchronized void progress(double fraction, @Nullable String text) {
        if (fraction < 0 || fraction > 1 || Double.isNaN(fraction)) {
            throw new IllegalArgumentException("progress must be between 0 and 1, got " + fraction);
        }
        pendingFraction = fraction;
        pendingMessage = StoredText.cutOrNull(text, env.settings().maxTextSize()); // bounded as stored
        long now = env.clock().millis();
        if (now - lastProgressSent >= PROGRESS_INTERVAL_MILLIS) {
            sendProgress();
        }
        else if (!progressScheduled) {
            progressScheduled = true;
            scheduler.schedule(this::sendScheduledProgress, PROGRESS_INTERVAL_MILLIS - (now - lastProgressSent),
                    TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void sendScheduledProgress() {
        progressScheduled = false;
        if (pendingFraction >= 0) {
            sendProgress();
        }
    }

    private void sendProgress() {
        lastProgressSent = env.clock().millis();
        env.store().progress(message.queue(), message.id(), pendingFraction, pendingMessage,
                env.resultTtlMillis());
        pendingFraction = -1;
    }

    @Override
    public RetryRequestedException retry(Duration delay) {
        throw new RetryRequestedException(delay, null);
    }

    @Override
    public RetryRequestedException retry(Duration delay, Throwable cause) {
        throw new RetryRequestedException(delay, cause);
    }

    @Override
    public boolean isSoftTimeLimitExceeded() {
        return softLimitExceeded;
    }

    @Override
    public void checkTimeLimit() {
        if (softLimitExceeded) {
            throw new SoftTimeLimitExceededException(message.task(), softTimeLimit);
        }
    }

    @Override
    public boolean isRevoked() {
        return run.revoked;
    }
}
