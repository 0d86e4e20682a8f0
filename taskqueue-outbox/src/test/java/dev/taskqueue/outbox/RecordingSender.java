package dev.taskqueue.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A {@link RowSender} for tests: keeps what it was handed, and fails the rows (or the round) it is told to. */
final class RecordingSender implements RowSender {

    private final List<OutboxRow> sent = new ArrayList<>();
    private final Function<List<OutboxRow>, Map<Long, String>> outcome;

    RecordingSender() {
        this(rows -> Map.of());
    }

    RecordingSender(Function<List<OutboxRow>, Map<Long, String>> outcome) {
        this.outcome = outcome;
    }

    @Override
    public synchronized Map<Long, String> send(List<OutboxRow> rows) {
        Map<Long, String> failed = outcome.apply(rows);
        rows.stream().filter(row -> !failed.containsKey(row.id())).forEach(sent::add);
        return failed;
    }

    synchronized List<String> payloads() {
        return sent.stream().map(OutboxRow::payload).toList();
    }

    synchronized List<OutboxRow> rows() {
        return List.copyOf(sent);
    }
}
