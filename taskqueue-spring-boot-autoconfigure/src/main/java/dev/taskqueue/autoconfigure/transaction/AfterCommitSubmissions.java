package dev.taskqueue.autoconfigure.transaction;

import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionSender;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;

/**
 * The after-commit submissions of one transaction: held while it runs, written to Redis together (in submit order,
 * one round trip per queue) once it commits, in the committing thread, so that {@code commit} returns with the tasks
 * in Redis; dropped when it rolls back. Each submit's {@link dev.taskqueue.TaskHandle#sent()} completes or fails
 * with the outcome.
 */
final class AfterCommitSubmissions extends HeldSubmissions {

    private static final Logger log = LoggerFactory.getLogger(AfterCommitSubmissions.class);

    private final SubmissionSender sender;

    private AfterCommitSubmissions(Object key, SubmissionSender sender) {
        super(key);
        this.sender = sender;
    }

    /**
     * The current transaction's after-commit submissions: joined, or begun and registered with it; null once they are
     * being written (a submit from a commit callback is sent at once).
     */
    static @Nullable AfterCommitSubmissions of(Object key, SubmissionSender sender) {
        return join(key, AfterCommitSubmissions.class, () -> new AfterCommitSubmissions(key, sender));
    }

    /** After every other synchronization's commit work, so that what they write is committed too. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void afterCommit() {
        write();
    }

    @Override
    public void afterCompletion(int status) {
        if (status == STATUS_COMMITTED) {
            write(); // in case another synchronization's afterCommit threw before ours ran
        }
        unbind();
        failUnlessCommitted(status);
    }

    /** Writes the submissions once, whichever of afterCommit and afterCompletion comes first. */
    private void write() {
        synchronized (this) {
            if (!isHolding()) {
                return;
            }
            stopHolding();
        }
        Submission all = all();
        if (all == null) {
            return;
        }
        SentSubmission written;
        try {
            written = sender.send(all);
        }
        catch (RuntimeException ex) {
            // The transaction committed: its data stays, and these tasks are lost. Say which, loudly.
            log.error("Tasks {} were submitted in a transaction that committed, but Redis could not take them all, so "
                    + "they (or those of them Redis did not store) will not run: {}. Submit them again with the same "
                    + "ids, or use the outbox (taskqueue.submit.transactions=outbox) for work that must survive a "
                    + "Redis outage or a crash at the commit", all.taskIds(), ex.toString());
            fail("Redis could not take the tasks after their transaction committed: " + ex.getMessage(), ex);
            return;
        }
        futures().forEach(future -> future.complete(written));
    }
}
