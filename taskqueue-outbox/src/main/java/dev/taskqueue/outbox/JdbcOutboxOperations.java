package dev.taskqueue.outbox;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.actuate.view.OutboxOperations;

/**
 * The outbox as operators see it (the actuator endpoint and the dashboard), over its {@link JdbcOutboxStore}: its
 * depth, the rows the relay gave up on, and retrying or deleting one of those.
 *
 * <p>A failed row's preview is the start of its payload ({@value JdbcOutboxStore#PREVIEW_LENGTH} characters), which
 * may hold tasks' arguments. So that the read model can mask what those tasks declare sensitive, each row names the
 * tasks whose messages start in its preview: a submission writes each message's {@code "task"} before its body
 * ({@code dev.taskqueue.client.SubmissionJson}), and a body names its task before its {@code "args"}
 * ({@code dev.taskqueue.internal.MessageCodec}), so a task whose arguments show in the preview is named in it first.
 */
public final class JdbcOutboxOperations implements OutboxOperations {

    /** {@code "task":"name"}, also inside a body (a JSON string, its quotes escaped). */
    private static final Pattern TASK = Pattern.compile("\\\\?\"task\\\\?\"\\s*:\\s*\\\\?\"([^\"\\\\]+)");

    private final JdbcOutboxStore store;

    public JdbcOutboxOperations(JdbcOutboxStore store) {
        this.store = store;
    }

    @Override
    public Status status() {
        OutboxStats stats = store.stats();
        return new Status(stats.pending(), stats.oldestPendingAge(), stats.failed(), store.table().name());
    }

    @Override
    public List<FailedRow> failed(int max) {
        return store.failed(max).stream().map(row -> new FailedRow(row.id(), row.createdAt(), row.failedAt(),
                row.error(), row.payloadLength(), taskNames(row.payloadPreview()), row.payloadPreview())).toList();
    }

    @Override
    public boolean retry(long id) {
        return store.retry(id);
    }

    @Override
    public boolean delete(long id) {
        return store.delete(id);
    }

    /** The names of the tasks whose messages start in {@code preview}, in order, each once. */
    static List<String> taskNames(String preview) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = TASK.matcher(preview);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return List.copyOf(names);
    }
}
