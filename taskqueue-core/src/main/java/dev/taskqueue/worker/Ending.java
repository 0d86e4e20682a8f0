package dev.taskqueue.worker;

import java.time.Duration;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * How one run ended, as the steps of the {@link Processor} find it, before {@link Endings} turns it into an
 * outcome, an event and the workflow's continuation. One factory per way to end.
 */
final class Ending {

    final Outcome.Kind kind;
    /** The error as found (not yet cut to the stored bounds): failed, retried, quarantined. */
    final @Nullable TaskError error;
    /** Why: the dead letter's reason (failed, quarantined), or the record's message (revoked). */
    final @Nullable String reason;
    /** How long the handler ran; null when it did not run. */
    final @Nullable Duration took;
    /** The result as JSON, when it succeeded and is kept. */
    private @Nullable String resultJson;
    /** How long a retry waits. */
    private @Nullable Duration retryDelay;

    private Ending(Outcome.Kind kind, @Nullable TaskError error, @Nullable String reason, @Nullable Duration took) {
        this.kind = kind;
        this.error = error;
        this.reason = reason;
        this.took = took;
    }

    /** The handler returned in {@code took}; its result is {@code resultJson} (null when not kept). */
    static Ending succeeded(@Nullable String resultJson, Duration took) {
        Ending ending = new Ending(Outcome.Kind.SUCCEEDED, null, null, took);
        ending.resultJson = resultJson;
        return ending;
    }

    /** It failed for good, after running for {@code took} (null: it did not run), for {@code reason}. */
    static Ending failed(TaskError error, String reason, @Nullable Duration took) {
        return new Ending(Outcome.Kind.FAILED, error, reason, took);
    }

    /** It failed after running for {@code took}, and runs again in {@code delay}. */
    static Ending retry(TaskError error, Duration delay, Duration took) {
        Ending ending = new Ending(Outcome.Kind.RETRY, error, null, took);
        ending.retryDelay = delay;
        return ending;
    }

    /** It was not run, or stopped, for {@code reason} (such as "expired"). */
    static Ending revoked(String reason) {
        return new Ending(Outcome.Kind.REVOKED, null, reason, null);
    }

    /** Its message or entry cannot be read, for {@code why}: it goes, as stored, to the dead letters. */
    static Ending quarantined(String why) {
        return new Ending(Outcome.Kind.QUARANTINED, null, why, null);
    }

    @Nullable String resultJson() {
        return resultJson;
    }

    /** How long the retry waits (zero unless this is a retry). */
    Duration retryDelay() {
        return retryDelay == null ? Duration.ZERO : retryDelay;
    }
}
