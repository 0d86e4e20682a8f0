package dev.taskqueue.outbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.client.Submission;
import dev.taskqueue.client.SubmissionJson;
import dev.taskqueue.client.SubmissionSender;

/**
 * The relay's {@link RowSender} for taskqueue's own rows: each row is a submission ({@link SubmissionJson}), written
 * to Redis in row order. A row that cannot be read, or whose commands Redis refuses (a payload larger than its
 * {@code proto-max-bulk-len}, say), is failed for good (kept with its error), so that it does not hold back the rows
 * behind it; Redis unreachable, in a passing state (loading, read-only, ...), out of memory, or short of replicas
 * fails the round, so that every row is taken again later (writing a row twice stores its tasks once: their ids are
 * fixed and deduplicated).
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
            catch (IllegalArgumentException | TaskQueueException ex) {
                if (ex instanceof TaskQueueException refusal && !refusedForGood(refusal)) {
                    throw refusal;
                }
                // refused as invalid: sending it again would fail again
                failed.put(row.id(), ex.getMessage());
                tracker.failed(submission, ex.getMessage());
                continue;
            }
            tracker.sent(submission);
        }
        return failed;
    }

    /**
     * Whether Redis refused the row's own commands, which it will refuse again (the broker's plain
     * {@link TaskQueueException}): not when it is unreachable or in a passing state
     * ({@link BrokerUnavailableException}), short of replicas ({@link ReplicationException}), out of memory (an
     * {@code OOM} reply: it takes the row once memory is freed or maxmemory raised), or when this JVM failed reading
     * the reply (an {@link Error}).
     */
    private static boolean refusedForGood(TaskQueueException ex) {
        if (ex instanceof BrokerUnavailableException || ex instanceof ReplicationException) {
            return false;
        }
        Throwable cause = ex.getCause();
        return !(cause instanceof Error) && !(cause != null && String.valueOf(cause.getMessage()).startsWith("OOM"));
    }

    /** Between rounds, asks Redis about this instance's submissions that another instance's relay may have sent. */
    @Override
    public void afterRound() {
        tracker.checkOthers();
    }
}
