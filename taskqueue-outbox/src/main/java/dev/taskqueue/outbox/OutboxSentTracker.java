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
import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the {@link dev.taskqueue.TaskHandle#sent()} futures of this instance's committed outbox submissions:
 * when its relay writes their row to Redis (saying which tasks stand for collapsed ones), or fails it for good; and,
 * for a row that another instance's relay took, when Redis has the submission's first task (outbox messages are
 * stored with a record from the start), asked by {@link #checkOthers()} between the relay's rounds. Each waiting
 * submission costs its first task's id and queue; past {@value #MAX_WAITING} waiting, or {@link #GIVE_UP_AFTER},
 * a future fails rather than wait on.
 */
public final class OutboxSentTracker {

    private static final Logger log = LoggerFactory.getLogger(OutboxSentTracker.class);

    /** How long a committed submission may wait before Redis is asked whether another relay sent it. */
    static final Duration ASK_AFTER = Duration.ofSeconds(1);

    /** How long a future is followed at most: a row kept failed by another instance is never sent. */
    static final Duration GIVE_UP_AFTER = Duration.ofHours(1);

    /** Most submissions followed at once (a long Redis outage at a high rate would hold them all). */
    static final int MAX_WAITING = 100_000;

    /** Most submissions asked about per round, so that a round stays short. */
    private static final int ASK_PER_ROUND = 200;

    /** How often {@link #awaitNoneWaiting} looks. */
    private static final long AWAIT_POLL_MILLIS = 2;

    private record Waiting(String queue, CompletableFuture<SentSubmission> future, long since) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final ResultBackend backend;
    private final Clock clock;

    public OutboxSentTracker(ResultBackend backend, Clock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    /** Follows a submission (its row written, its transaction committing) until Redis has it. */
    void await(Submission submission, CompletableFuture<SentSubmission> future) {
        OutgoingMessage first = first(submission);
        if (first == null) {
            future.complete(SentSubmission.AS_SUBMITTED);
            return;
        }
        if (waiting.size() >= MAX_WAITING) {
            future.completeExceptionally(notFollowed(submission, "more than " + MAX_WAITING + " outbox submissions "
                    + "of this instance wait for the relay"));
            return;
        }
        waiting.put(first.id(), new Waiting(first.queue(), future, clock.millis()));
    }

    /** Stops following a submission whose transaction did not commit (its future fails otherwise). */
    void forget(Submission submission) {
        OutgoingMessage first = first(submission);
        if (first != null) {
            waiting.remove(first.id());
        }
    }

    /**
     * This instance's relay wrote a row to Redis: the submissions of one transaction, made one (each submit's
     * future waits under its first task's id).
     */
    void sent(Submission row, SentSubmission written) {
        if (waiting.isEmpty()) {
            return;
        }
        for (String id : row.taskIds()) {
            Waiting done = waiting.remove(id);
            if (done != null) {
                done.future().complete(written);
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
        int asked = 0;
        for (Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator(); it.hasNext()
                && asked < ASK_PER_ROUND;) {
            Map.Entry<String, Waiting> entry = it.next();
            Waiting w = entry.getValue();
            if (now - w.since() < ASK_AFTER.toMillis()) {
                continue;
            }
            if (now - w.since() > GIVE_UP_AFTER.toMillis()) {
                it.remove();
                w.future().completeExceptionally(notFollowed(entry.getKey(), "it was not seen in Redis within "
                        + GIVE_UP_AFTER + ": its row may be kept failed (see the outbox's failed rows), or it "
                        + "collapsed into another task (a unique key) when another instance relayed it"));
                continue;
            }
            asked++;
            try {
                if (backend.find(w.queue(), entry.getKey()).submittedAt() != null) {
                    it.remove();
                    w.future().complete(SentSubmission.AS_SUBMITTED);
                }
            }
            catch (RuntimeException ex) {
                log.debug("Could not ask Redis whether outbox task [{}] was sent; asking again later", entry.getKey(),
                        ex);
                return; // Redis unreachable: every other answer would fail too
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

    private static TaskNotSentException notFollowed(Submission submission, String why) {
        return new TaskNotSentException(submission.taskIds(), "Outbox tasks " + submission.taskIds() + " are no "
                + "longer followed: " + why + ". Look them up by id", null);
    }

    private static TaskNotSentException notFollowed(String firstTaskId, String why) {
        return new TaskNotSentException(List.of(firstTaskId), "Outbox task [" + firstTaskId + "] (and the others "
                + "of its submission) is no longer followed: " + why + ". Look it up by id", null);
    }

    private static @Nullable OutgoingMessage first(Submission submission) {
        for (Submission.Write write : submission.writes()) {
            if (write instanceof Submission.Send send && !send.messages().isEmpty()) {
                return send.messages().get(0);
            }
        }
        return null;
    }
}
