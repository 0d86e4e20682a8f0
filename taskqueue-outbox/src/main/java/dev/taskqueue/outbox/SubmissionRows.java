package dev.taskqueue.outbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import dev.taskqueue.client.SubmissionSender;

/**
 * The relay's {@link RowSender} for taskqueue's own rows: each row is a submission ({@link SubmissionJson}), written
 * to Redis in row order. A row that cannot be read, or that Redis refuses as invalid, is failed for good (kept with
 * its error); Redis unreachable fails the round, so that every row is taken again later (writing a row twice stores
 * its tasks once: their ids are fixed and deduplicated).
 */
public final class SubmissionRows implements RowSender {

    private final SubmissionSender sender;
    private final OutboxSentTracker tracker;

    public SubmissionRows(SubmissionSender sender, OutboxSentTracker tracker) {
        this.sender = sender;
        this.tracker = tracker;
    }

    @Override
    public Map<Long, String> send(List<OutboxRow> rows) {
        Map<Long, String> failed = new LinkedHashMap<>();
        for (OutboxRow row : rows) {
            Submission submission;
            try {
                submission = SubmissionJson.read(row.payload());
            }
            catch (IllegalArgumentException ex) {
                failed.put(row.id(), ex.getMessage());
                continue;
            }
            try {
                sender.send(submission);
            }
            catch (IllegalArgumentException ex) { // refused as invalid: sending it again would fail again
                failed.put(row.id(), ex.getMessage());
                tracker.failed(submission, ex.getMessage());
                continue;
            }
            tracker.sent(submission);
        }
        return failed;
    }

    /** Between rounds, asks Redis about this instance's submissions that another instance's relay may have sent. */
    @Override
    public void afterRound() {
        tracker.checkOthers();
    }
}
