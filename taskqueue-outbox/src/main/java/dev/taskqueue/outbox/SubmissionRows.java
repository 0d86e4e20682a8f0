package dev.taskqueue.outbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.client.SentSubmission;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import dev.taskqueue.client.SubmissionSender;

/**
 * The relay's {@link RowSender} for taskqueue's own rows: each row is a submission ({@link SubmissionJson}). A round's
 * rows are written to Redis together, in row order (one script per queue for all their messages), so a round costs a
 * few round trips however many rows it took. A row that cannot be read is failed for good (kept with its error);
 * when Redis refuses the round's writes as invalid, the rows are written one by one to find which, and that one is
 * failed. Redis unreachable fails the round, so that every row is taken again later (writing a row twice stores its
 * tasks once: their ids are fixed and deduplicated).
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
        catch (IllegalArgumentException invalid) { // one of them is refused as invalid: find it, send the others
            for (int i = 0; i < submissions.size(); i++) {
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
        catch (IllegalArgumentException ex) { // refused as invalid: sending it again would fail again
            failed.put(row.id(), ex.getMessage());
            tracker.failed(submission, ex.getMessage());
            return;
        }
        tracker.sent(submission, written);
    }

    /** Between rounds, asks Redis about this instance's submissions that another instance's relay may have sent. */
    @Override
    public void afterRound() {
        tracker.checkOthers();
    }
}
