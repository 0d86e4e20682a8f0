package dev.taskqueue.actuate.view;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The shapes of the dashboard's JSON, as {@link TaskQueueViews} assembles them. Times are epoch milliseconds and
 * absent values null, so that a browser reads them without parsing dates. A value that is not shown (see
 * {@link TaskQueueViews#HIDDEN}) reads as that string in place of the JSON it would be.
 */
public final class Views {

    private Views() {
    }

    /**
     * A queue's row.
     *
     * @param scheduled waiting for their countdown or eta (as the scheduled tab lists them: retries not included,
     *        unlike the actuator endpoint's and the {@code taskqueue.queue.scheduled} gauge's count)
     * @param running claimed by a worker and not finished
     * @param retrying waiting for a retry backoff (as the retrying tab lists them); null when the store cannot
     *        count them cheaply
     * @param consumers the ids of the live workers that consume it
     * @param rateLimit the rate limits its declared tasks have, such as {@code 100/1s}, or null when none has one
     * @param concurrency at most this many of its tasks run at once because every task declared for it has a
     *        concurrency limit (their sum); null when one has none
     * @param drainSeconds how long its pending tasks would take at the rate of the last minute; null when nothing
     *        finished in it lately
     */
    public record Queue(String name, long pending, long scheduled, long running, @Nullable Long retrying, long dead,
            @Nullable Long oldestPendingAgeMillis, boolean paused, List<String> consumers, long processedLastMinute,
            @Nullable String rateLimit, @Nullable Integer concurrency, @Nullable Double drainSeconds) {
    }

    /** Sums over the queues and the live workers; the oldest pending age is the largest of any queue. */
    public record Totals(long pending, long scheduled, long running, @Nullable Long retrying, long dead, int workers,
            int queues, @Nullable Long oldestPendingAgeMillis) {
    }

    /** A worker with the tasks it runs now. */
    public record Worker(String id, String host, long pid, List<String> queues, int concurrency, int active,
            long processed, long failed, long startedAt, long lastHeartbeat, String state,
            List<RunningTask> running) {
    }

    /** A task a worker runs now. */
    public record RunningTask(String id, @Nullable String name, String queue, @Nullable Long startedAt) {
    }

    /** Everything at a glance; {@code outbox} is left out when the application has none. */
    public record Overview(Totals totals, List<Queue> queues, List<Worker> workers, History history,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Outbox outbox) {
    }

    /**
     * The transactional outbox's depth.
     *
     * @param oldestPendingAgeMillis how long the oldest pending row has waited (0 when none waits)
     * @param failed rows the relay gave up on, which wait for an operator
     */
    public record Outbox(long pending, long oldestPendingAgeMillis, long failed, String table) {
    }

    /** The outbox with the first rows the relay gave up on, oldest first. */
    public record OutboxDetail(Outbox outbox, List<OutboxRow> failedRows) {
    }

    /**
     * A row the outbox relay gave up on.
     *
     * @param error why it could not be sent, or {@link TaskQueueViews#HIDDEN}
     * @param payloadLength its payload's length, in characters
     * @param tasks the tasks whose messages start in the preview
     * @param preview the start of its payload, masked whole when one of those tasks declares sensitive values, or
     *        {@link TaskQueueViews#HIDDEN}
     */
    public record OutboxRow(long id, long createdAt, long failedAt, String error, long payloadLength,
            List<String> tasks, String preview) {
    }

    /** One queue with its history. */
    public record QueueDetail(Queue queue, History history) {
    }

    /**
     * Counts over time.
     *
     * @param range hour, day or week
     * @param stepMillis the span of each point
     * @param points oldest first; empty when the application keeps no history
     * @param runTimeBoundsMillis the upper bounds of the run-time buckets (the last bucket is above the last bound)
     */
    public record History(String range, long stepMillis, List<Point> points, long[] runTimeBoundsMillis) {
    }

    /** One step of a history. */
    public record Point(long t, long processed, long failed, long retried, long[] runTimeBuckets,
            @Nullable Long lagMillis) {
    }

    /** An error as a row shows it; the stack only in attempts. */
    public record Error(String type, @Nullable String message, @Nullable String stack) {
    }

    /**
     * A task in a list.
     *
     * @param arguments its arguments as JSON, masked where declared sensitive, or {@link TaskQueueViews#HIDDEN}
     * @param deadLetterId for a dead letter, its id (to retry or delete it)
     */
    public record TaskRow(String id, @Nullable String name, @Nullable String queue, String state,
            @Nullable Long submittedAt, @Nullable Long dueAt, @Nullable Long startedAt, @Nullable Long finishedAt,
            int attempt, @Nullable String worker, @Nullable Error error, @Nullable Object arguments,
            @Nullable String deadLetterId) {
    }

    /** A page of a list; {@code next} is the cursor of the next page, null on the last. */
    public record Page<T>(List<T> items, @Nullable String next) {
    }

    /** What a search by task id found, in any queue and among the dead letters. */
    public record SearchResult(List<TaskRow> tasks) {
    }

    /** One run of a task. */
    public record AttemptView(int attempt, @Nullable String worker, @Nullable Long startedAt, @Nullable Long finishedAt,
            String state, @Nullable Error error) {
    }

    /**
     * A task with everything known of it.
     *
     * @param result its result as JSON, masked where declared sensitive, or {@link TaskQueueViews#HIDDEN}
     * @param headers the headers its message carries, when the store tells them
     * @param children the tasks its end submitted, when known
     * @param traceUrl the trace in the tracing UI, when a trace id and a link template are known
     * @param workflowId the workflow to show as a graph, when it belongs to one
     */
    public record TaskDetail(String id, @Nullable String name, @Nullable String queue, String state,
            @Nullable Long submittedAt, @Nullable Long dueAt, @Nullable Long startedAt, @Nullable Long finishedAt,
            int attempt, @Nullable String worker, @Nullable Error error, @Nullable Object arguments,
            @Nullable String deadLetterId, @Nullable Object result, Map<String, String> headers,
            @Nullable Double progress, @Nullable String progressMessage, @Nullable String parentId,
            @Nullable String rootId, List<String> children, List<AttemptView> attempts, @Nullable String traceId,
            @Nullable String traceUrl, @Nullable String workflowId) {
    }

    /** A periodic schedule. */
    public record Schedule(String name, String task, String queue, String trigger, boolean enabled,
            @Nullable Long lastRun, @Nullable Long nextRun, @Nullable String problem) {
    }

    /** A workflow as a graph: chain, group or chord, each node a task with its state. */
    public record Workflow(String id, String kind, List<Node> nodes, List<Edge> edges) {
    }

    /** A step of a workflow. */
    public record Node(String id, @Nullable String task, String state, String label) {
    }

    /** An edge of a workflow: {@code to} runs after {@code from}. */
    public record Edge(String from, String to) {
    }

    /**
     * A task of the catalog, as the actuator endpoint lists it.
     *
     * @param policies the policies it declares (retry, timeLimit, rateLimit, concurrency, unique), as JSON
     * @param declaredHere whether this application declares it
     * @param instances the workers that publish it, with when each last did
     */
    public record CatalogTask(String name, String queue, int priority, boolean ignoreResult,
            List<dev.taskqueue.DeclaredTask.Parameter> parameters, String resultType, Object policies,
            boolean declaredHere, Map<String, Long> instances, @Nullable Long lastSeen) {
    }

    /** What an action did: what it was, on what, and how many tasks or dead letters it touched. */
    public record ActionResult(String action, String target, long count) {
    }
}
