package dev.taskqueue.outbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.client.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the {@link dev.taskqueue.TaskHandle#sent()} futures of this instance's committed outbox submissions:
 * when its relay writes their row to Redis, or fails it for good; and, for a row that another instance's relay took,
 * when Redis has the submission's first task (outbox messages are stored with a record from the start), checked by
 * {@link #checkOthers()} on the relay's rounds.
 */
public final class OutboxSentTracker {

    private static final Logger log = LoggerFactory.getLogger(OutboxSentTracker.class);

    /** How long a committed submission may wait before Redis is asked whether another relay sent it. */
    static final Duration ASK_AFTER = Duration.ofSeconds(1);

    /** How long a future is followed at most: a row kept failed by another instance is never sent. */
    static final Duration GIVE_UP_AFTER = Duration.ofHours(1);

    /** How often {@link #awaitNoneWaiting} looks. */
    private static final long AWAIT_POLL_MILLIS = 2;

    private record Waiting(OutgoingMessage first, CompletableFuture<Void> future, long since) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final ResultBackend backend;
    private final Clock clock;

    public OutboxSentTracker(ResultBackend backend, Clock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    /** Follows a committed submission until Redis has it. */
    void await(Submission submission, CompletableFuture<Void> future) {
        OutgoingMessage first = first(submission);
        if (first == null) {
            future.complete(null);
            return;
        }
        waiting.put(first.id(), new Waiting(first, future, clock.millis()));
    }

    /**
     * This instance's relay wrote a row to Redis: the submissions of one transaction, made one (each submit's
     * future waits under its first task's id).
     */
    void sent(Submission row) {
        if (waiting.isEmpty()) {
            return;
        }
        for (String id : row.taskIds()) {
            Waiting done = waiting.remove(id);
            if (done != null) {
                done.future().complete(null);
            }
        }
    }

    /** This instance's relay kept a row as failed, for good. */
    void failed(Submission row, String error) {
        TaskNotSentException failure = new TaskNotSentException(row.taskIds(), "Tasks " + row.taskIds()
                + " were not sent: their outbox row cannot be sent (" + error + "); it is kept with its error for an "
                + "operator", null);
        for (String id : row.taskIds()) {
            Waiting done = waiting.remove(id);
            if (done != null) {
                done.future().completeExceptionally(failure);
            }
        }
    }

    /** Asks Redis about submissions waiting for a while: another instance's relay may have sent them. */
    void checkOthers() {
        long now = clock.millis();
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext();) {
            Waiting w = it.next();
            if (now - w.since() < ASK_AFTER.toMillis()) {
                continue;
            }
            try {
                if (backend.find(w.first().queue(), w.first().id()).submittedAt() != null) {
                    it.remove();
                    w.future().complete(null);
                }
                else if (now - w.since() > GIVE_UP_AFTER.toMillis()) {
                    it.remove();
                    log.warn("Outbox submission of task [{}] was not seen in Redis within {}: its row may be kept "
                            + "failed; see the outbox's failed rows", w.first().id(), GIVE_UP_AFTER);
                }
            }
            catch (RuntimeException ex) {
                return; // Redis unreachable: ask again on a later round
            }
        }
    }

    int waitingCount() {
        return waiting.size();
    }

    /**
     * Waits until no committed submission of this instance waits for Redis, at most {@code timeout}, looking every
     * few milliseconds (for tests: the relay sends a local commit's row within milliseconds).
     *
     * @return whether none is left waiting
     */
    boolean awaitNoneWaiting(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!waiting.isEmpty()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            try {
                Thread.sleep(AWAIT_POLL_MILLIS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return waiting.isEmpty();
            }
        }
        return true;
    }

    private static OutgoingMessage first(Submission submission) {
        for (Submission.Write write : submission.writes()) {
            if (write instanceof Submission.Send send && !send.messages().isEmpty()) {
                return send.messages().get(0);
            }
        }
        return null;
    }
}
