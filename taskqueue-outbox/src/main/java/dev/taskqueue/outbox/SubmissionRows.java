package dev.taskqueue.outbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import dev.taskqueue.client.SubmissionSender;

/**
 * The relay's {@link RowSender} for taskqueue's own rows: each row is a submission ({@link SubmissionJson}). A round's
 * rows are written to Redis together, in row order (one script per queue for all their messages), so a round costs a
 * few round trips however many rows it took. A row that cannot be read is failed for good (kept with its error);
 * when Redis refuses the round's writes for good (as invalid, or a payload larger than its
 * {@code proto-max-bulk-len}, say), the rows are written one by one to find which, and that one is failed, so that it
 * does not hold back the rows behind it. Redis unreachable, in a passing state (loading, read-only, ...), out of memory
 * or short of replicas fails the round, so that every row is taken again later (writing a row twice stores its tasks
 * once: their ids are fixed and deduplicated).
 */
public final class SubmissionRows implements RowSender {

    private final SubmissionSender sender;
    private final OutboxSentTracker tracker;
    /** Whether the relay's last round took rows (only the relay's thread reads and writes it). */
    private boolean tookRows;

    public SubmissionRows(SubmissionSender sender, OutboxSentTracker tracker) {
        this.sender = sender;
        this.tracker = tracker;
    }

    @Override
    public Map<Long, String> send(List<OutboxRow> rows) {
        tookRows = true;
        Map<Long, String> failed = new LinkedHashMap<>();
        List<OutboxRow> readable = new ArrayList<>(rows.size());
        List<Submission> submissions = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            try {
                submissions.add(SubmissionJson.read(row.payload()));
                readable.add(row);
            }
            catch (IllegalArgumentException ex) {
                failed.put(row.id(), ex.getMessage());
            }
        }
        if (submissions.isEmpty()) {
            return failed;
        }
        Submission all = submissions.get(0);
        for (int i = 1; i < submissions.size(); i++) {
            all = all.then(submissions.get(i));
        }
        try {
            tracker.sent(all, sender.send(all));
        }
        catch (IllegalArgumentException | TaskQueueException ex) {
            refusedForGood(ex); // else the round fails
            for (int i = 0; i < submissions.size(); i++) { // one of them is refused: find it, send the others
                sendAlone(readable.get(i), submissions.get(i), failed);
            }
        }
        return failed;
    }

    private void sendAlone(OutboxRow row, Submission submission, Map<Long, String> failed) {
        SentSubmission written;
        try {
            written = sender.send(submission);
        }
        catch (IllegalArgumentException | TaskQueueException ex) {
            refusedForGood(ex); // else the round fails
            failed.put(row.id(), ex.getMessage());
            tracker.failed(submission, ex.getMessage());
            return;
        }
        tracker.sent(submission, written);
    }

    /**
     * Rethrows {@code ex} unless Redis refused the writes themselves, which it will refuse again: refused as invalid
     * ({@link IllegalArgumentException}) or by Redis (the broker's plain {@link TaskQueueException}); not when Redis is
     * unreachable or in a passing state ({@link BrokerUnavailableException}), short of replicas
     * ({@link ReplicationException}), out of memory (an {@code OOM} reply: it takes the rows once memory is freed or
     * maxmemory raised), or when this JVM failed reading the reply (an {@link Error}).
     */
    private static void refusedForGood(RuntimeException ex) {
        if (ex instanceof IllegalArgumentException) {
            return;
        }
        Throwable cause = ex.getCause();
        if (ex instanceof BrokerUnavailableException || ex instanceof ReplicationException || cause instanceof Error
                || (cause != null && String.valueOf(cause.getMessage()).startsWith("OOM"))) {
            throw ex;
        }
    }

    /**
     * After a round that found no row, asks Redis about this instance's submissions that another instance's relay
     * may have sent. While rows keep coming, this relay sends its own instance's rows itself (they are the ones its
     * commits woke it for), and asking about each would cost a round trip per submission on the relay's thread.
     */
    @Override
    public void afterRound() {
        if (!tookRows) {
            tracker.checkOthers();
        }
        tookRows = false;
    }
}
