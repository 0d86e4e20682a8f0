package dev.taskqueue.actuate.view;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.RateLimit;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Attempt;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.TaskHistory;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.internal.JsonPreview;
import dev.taskqueue.internal.OptionsJson;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's views of the queues, assembled from the {@link TaskQueueReadModel} (counts, workers, catalog,
 * schedules, records, dead letters), the {@link QueueBrowser} (pages of a queue's tasks, failures, attempts, what each
 * worker runs) and the {@link TaskHistory} (counts over time). Without a browser, the views that need one throw
 * {@link ViewUnavailableException}; without a history, histories are empty.
 *
 * <p>What tasks carry (arguments, results, error messages and stacks, progress messages) is masked where the task
 * declares it sensitive ({@link ValueMask}), and, when the caller may not see values ({@code withValues} false),
 * reads as {@value #HIDDEN}, as in Boot's endpoints. A failed outbox row's error and payload preview are values too.
 */
public class TaskQueueViews {

    /** What a value that is not shown reads as, as in Boot's own endpoints. */
    public static final String HIDDEN = "******";

    /** Tasks per page when the request names no count. */
    public static final int DEFAULT_PAGE_SIZE = 50;

    /** Most tasks per page. */
    public static final int MAX_PAGE_SIZE = 500;

    /** About how many characters of JSON a task's arguments or result may take before they are shortened. */
    static final int JSON_PREVIEW = 4096;

    private static final JsonMapper JSON = JsonMapper.shared();

    private final TaskQueueReadModel model;
    private final @Nullable QueueBrowser browser;
    private final @Nullable TaskHistory history;
    private final @Nullable WorkflowStore workflows;
    private final Clock clock;

    /**
     * @param browser pages of a queue's tasks, or null when the store offers none
     * @param history counts over time, or null when none are kept
     * @param workflows the groups of workflows, or null
     */
    public TaskQueueViews(TaskQueueReadModel model, @Nullable QueueBrowser browser, @Nullable TaskHistory history,
            @Nullable WorkflowStore workflows, Clock clock) {
        this.model = model;
        this.browser = browser;
        this.history = history;
        this.workflows = workflows;
        this.clock = clock;
    }

    /** The read model these views are assembled from. */
    public TaskQueueReadModel model() {
        return model;
    }

    // ------------------------------------------------------------------------------------------ queues, workers

    /** Totals, queues, workers, and the history of every queue over {@code range}. */
    public Views.Overview overview(String range) {
        List<WorkerInfo> infos = model.workers(); // read once for both lists
        List<Views.Queue> queues = queues(infos);
        List<Views.Worker> workers = workers(infos);
        OutboxOperations.Status outbox = model.outbox();
        return new Views.Overview(totals(queues, workers), queues, workers, history(range, null, null),
                outbox == null ? null : outbox(outbox));
    }

    // ------------------------------------------------------------------------------------------ outbox

    /**
     * The transactional outbox and up to {@code count} rows the relay gave up on, oldest first
     * ({@link ViewNotFoundException} when the application has no outbox).
     */
    public Views.OutboxDetail outbox(@Nullable Integer count, boolean withValues) {
        List<Views.OutboxRow> rows = model.failedOutboxRows(count).stream().map(row -> new Views.OutboxRow(row.id(),
                row.createdAt().toEpochMilli(), row.failedAt().toEpochMilli(), withValues ? row.error() : HIDDEN,
                row.payloadLength(), row.tasks(), withValues ? row.preview() : HIDDEN)).toList();
        OutboxOperations.Status status = model.outbox();
        return new Views.OutboxDetail(status == null ? new Views.Outbox(0, 0, 0, "") : outbox(status), rows);
    }

    private static Views.Outbox outbox(OutboxOperations.Status status) {
        return new Views.Outbox(status.pending(), status.oldestPendingAge().toMillis(), status.failed(),
                status.table());
    }

    /** Every known queue, by name. */
    public List<Views.Queue> queues() {
        return queues(model.workers());
    }

    private List<Views.Queue> queues(List<WorkerInfo> workers) {
        Map<String, List<DeclaredTask>> declared = declaredByQueue();
        return model.stats().stream().sorted(java.util.Comparator.comparing(QueueStats::queue))
                .map(stats -> queue(stats, workers, declared.getOrDefault(stats.queue(), List.of()))).toList();
    }

    /** One queue with its history over {@code range}. */
    public Views.QueueDetail queue(String name, String range) {
        QueueStats stats = model.stats(name);
        Views.Queue queue = queue(stats, model.workers(), declaredByQueue().getOrDefault(name, List.of()));
        return new Views.QueueDetail(queue, history(range, name, null));
    }

    private Map<String, List<DeclaredTask>> declaredByQueue() {
        Map<String, List<DeclaredTask>> byQueue = new HashMap<>();
        model.catalog().forEach(entry -> byQueue.computeIfAbsent(entry.task().queue(), q -> new ArrayList<>())
                .add(entry.task()));
        return byQueue;
    }

    private static Views.Queue queue(QueueStats stats, List<WorkerInfo> workers, List<DeclaredTask> declared) {
        List<String> rates = declared.stream().map(task -> task.policies().rateLimit()).filter(Objects::nonNull)
                .map(TaskQueueViews::rate).distinct().sorted().toList();
        // A sum bounds the queue only when every task of it is bounded; a keyed limit bounds each key, not the queue.
        boolean bounded = !declared.isEmpty() && declared.stream().allMatch(task -> unkeyed(task.policies()));
        Integer concurrency = bounded ? declared.stream()
                .mapToInt(task -> Objects.requireNonNull(task.policies().concurrency()).limit()).sum() : null;
        Double drain = stats.pending() > 0 && stats.processedLastMinute() > 0
                ? stats.pending() * 60.0 / stats.processedLastMinute() : null;
        return new Views.Queue(stats.queue(), stats.pending(), stats.scheduledOnly(), stats.active(), stats.retrying(),
                stats.dead(),
                stats.oldestPendingAgeMillis(), stats.paused(), TaskQueueReadModel.consumers(stats.queue(), workers),
                stats.processedLastMinute(), rates.isEmpty() ? null : String.join(", ", rates), concurrency, drain);
    }

    private static boolean unkeyed(TaskPolicies policies) {
        TaskPolicies.ConcurrencyLimit limit = policies.concurrency();
        return limit != null && limit.key().isEmpty();
    }

    /** A rate limit as operators write it: {@code 100/1s}, {@code 5/1h}. */
    static String rate(RateLimit limit) {
        Duration period = limit.period();
        String unit = period.toMillis() % 86_400_000 == 0 ? period.toDays() + "d"
                : period.toMillis() % 3_600_000 == 0 ? period.toHours() + "h"
                : period.toMillis() % 60_000 == 0 ? period.toMinutes() + "m"
                : period.toMillis() % 1000 == 0 ? period.toSeconds() + "s" : period.toMillis() + "ms";
        return limit.permits() + "/" + unit;
    }

    private static Views.Totals totals(List<Views.Queue> queues, List<Views.Worker> workers) {
        Long oldest = queues.stream().map(Views.Queue::oldestPendingAgeMillis).filter(Objects::nonNull)
                .max(Long::compare).orElse(null);
        return new Views.Totals(queues.stream().mapToLong(Views.Queue::pending).sum(),
                queues.stream().mapToLong(Views.Queue::scheduled).sum(),
                queues.stream().mapToLong(Views.Queue::running).sum(),
                queues.stream().map(Views.Queue::retrying).mapToLong(n -> n == null ? 0 : n).sum(),
                queues.stream().mapToLong(Views.Queue::dead).sum(),
                (int) workers.stream().filter(worker -> !worker.state().equals(WorkerInfo.LOST)).count(),
                queues.size(), oldest);
    }

    /** The workers, each with the tasks it runs now (none listed without a browser). */
    public List<Views.Worker> workers() {
        return workers(model.workers());
    }

    private List<Views.Worker> workers(List<WorkerInfo> infos) {
        Map<String, List<BrowsedTask>> running = browser != null ? browser.running() : Map.of();
        return infos.stream().map(info -> new Views.Worker(info.id(), info.host(), info.pid(),
                info.queues(), info.concurrency(), info.active(), info.processed(), info.failed(), info.startedAt(),
                info.lastHeartbeat(), info.state(), running.getOrDefault(info.id(), List.of()).stream()
                        .map(task -> new Views.RunningTask(task.id(), task.name(), task.queue(),
                                millis(task.startedAt())))
                        .toList()))
                .toList();
    }

    // ------------------------------------------------------------------------------------------ history

    /**
     * Counts over {@code range} (hour: one point a minute; day and week: one an hour) for one queue and one task, or
     * all when null.
     */
    public Views.History history(String range, @Nullable String queue, @Nullable String task) {
        TaskHistory.Resolution resolution;
        Duration span;
        switch (range) {
            case "hour" -> {
                resolution = TaskHistory.Resolution.MINUTE;
                span = Duration.ofHours(1);
            }
            case "day" -> {
                resolution = TaskHistory.Resolution.HOUR;
                span = Duration.ofDays(1);
            }
            case "week" -> {
                resolution = TaskHistory.Resolution.HOUR;
                span = Duration.ofDays(7);
            }
            default -> throw new InvalidViewRequestException("'" + range + "' is not a range: use hour, day or week");
        }
        long step = resolution == TaskHistory.Resolution.MINUTE ? 60_000 : 3_600_000;
        TaskHistory source = history;
        Instant to = clock.instant();
        List<Views.Point> points = source == null ? List.of()
                : source.read(resolution, to.minus(span).plusMillis(step), to, queue, task).stream()
                        .map(point -> new Views.Point(point.start().toEpochMilli(), point.processed(), point.failed(),
                                point.retried(), point.runTimeBuckets(), point.lagMillis()))
                        .toList();
        return new Views.History(range, step, points, TaskHistory.RUN_TIME_BOUNDS_MILLIS.clone());
    }

    // ------------------------------------------------------------------------------------------ tasks

    /**
     * A page of a queue's tasks in one state: pending, scheduled, running, retrying, dead or results.
     *
     * @param cursor the {@code next} of the page before, or null for the first
     * @param count at most this many ({@value #DEFAULT_PAGE_SIZE} when null)
     */
    public Views.Page<Views.TaskRow> tasks(String queue, String state, @Nullable String cursor,
            @Nullable Integer count, boolean withValues) {
        model.existingQueue(queue);
        int size = pageSize(count);
        if (state.equals("dead")) {
            TaskQueueReadModel.DeadLetterSlice slice = model.deadLetters(queue, cursor, size);
            return new Views.Page<>(slice.letters().stream().map(letter -> row(letter, withValues)).toList(),
                    slice.next());
        }
        QueueBrowser.Listing listing = switch (state) {
            case "pending" -> QueueBrowser.Listing.PENDING;
            case "scheduled" -> QueueBrowser.Listing.SCHEDULED;
            case "running" -> QueueBrowser.Listing.RUNNING;
            case "retrying" -> QueueBrowser.Listing.RETRYING;
            case "results" -> QueueBrowser.Listing.RESULTS;
            default -> throw new InvalidViewRequestException("'" + state + "' is not a state to list: use pending, "
                    + "scheduled, running, retrying, dead or results");
        };
        QueueBrowser.Page page = browser().tasks(queue, listing, cursor, size);
        return new Views.Page<>(page.tasks().stream().map(task -> row(task, withValues)).toList(), page.next());
    }

    /** Failures across queues (failed attempts, retries, dead letters), newest first, matching the filter. */
    public Views.Page<Views.TaskRow> failures(FailureFilter filter, @Nullable String cursor, @Nullable Integer count,
            boolean withValues) {
        if (filter.queue() != null) {
            model.existingQueue(filter.queue());
        }
        QueueBrowser.Page page = browser().failures(filter, cursor, pageSize(count));
        return new Views.Page<>(page.tasks().stream().map(task -> row(task, withValues)).toList(), page.next());
    }

    /** The tasks with this id in any queue, and the dead letters of such tasks. */
    public Views.SearchResult search(String taskId, boolean withValues) {
        TaskQueueReadModel.checkTaskId(taskId);
        List<Views.TaskRow> found = new ArrayList<>();
        QueueBrowser source = browser;
        if (source != null) {
            try {
                BrowsedTask task = source.find(null, taskId);
                if (task != null) {
                    found.add(row(task, withValues));
                }
            }
            catch (AmbiguousTaskIdException ex) {
                for (String queue : ex.getQueues()) { // one task per queue: each is looked up where it is
                    BrowsedTask task = source.find(queue, taskId);
                    if (task != null) {
                        found.add(row(task, withValues));
                    }
                }
            }
            source.failures(new FailureFilter(null, null, null, taskId), null, DEFAULT_PAGE_SIZE).tasks().stream()
                    .filter(task -> task.id().equals(taskId) && task.deadLetterId() != null)
                    .forEach(task -> found.add(row(task, withValues)));
        }
        else {
            try {
                found.add(row(model.task(null, taskId), withValues));
            }
            catch (ViewNotFoundException ex) {
                // nothing by that id
            }
        }
        return new Views.SearchResult(found);
    }

    /**
     * One task with everything known of it: where it waits or runs (browser), its record (result, progress, parent),
     * and its attempts.
     *
     * @param queue its queue, or null to look in every queue
     * @param traceUrl the link to a trace, with {@code {traceId}} in it, or null for none
     * @throws AmbiguousTaskIdException without a queue, when several queues have the id
     */
    public Views.TaskDetail task(@Nullable String queue, String id, boolean withValues, @Nullable String traceUrl) {
        TaskQueueReadModel.checkTaskId(id);
        String known = queue == null ? null : model.existingQueue(queue);
        BrowsedTask browsed = browser != null ? browser.find(known, id) : null;
        TaskInfo info = recordOrNull(browsed != null ? browsed.queue() : known, id);
        if (browsed == null && info == null) {
            throw new ViewNotFoundException("No task '" + id + "'" + (known == null ? "" : " in queue '" + known + "'")
                    + ": it is unknown, or it finished and its record expired (taskqueue.result-ttl)");
        }
        String taskQueue = browsed != null ? browsed.queue() : Objects.requireNonNull(info).queue();
        String name = info != null && info.name() != null ? info.name() : browsed != null ? browsed.name() : null;
        String state = info != null && (browsed == null || info.state() != TaskState.PENDING) ? info.state().name()
                : Objects.requireNonNull(browsed).state();
        TaskError error = info != null && info.error() != null ? info.error() : browsed != null ? browsed.error() : null;
        String arguments = info != null && info.argumentsJson() != null ? info.argumentsJson()
                : browsed != null ? model.mask().arguments(name, browsed.argumentsJson()) : null;
        List<Views.AttemptView> attempts = browser != null && taskQueue != null ? browser.attempts(taskQueue, id)
                .stream().map(attempt -> attempt(attempt, withValues)).toList() : List.of();
        BrowsedTask.Context context = browsed != null ? browsed.context() : BrowsedTask.Context.NONE;
        String parent = info != null && info.parentId() != null ? info.parentId() : context.parentId();
        String traceId = TraceIds.of(context.headers());
        List<String> children = children(context.children());
        boolean inWorkflow = parent != null || context.rootId() != null || !children.isEmpty();
        return new Views.TaskDetail(id, name, taskQueue, state,
                first(millis(info != null ? info.submittedAt() : null), browsed != null ? millis(browsed.submittedAt()) : null),
                browsed != null ? millis(browsed.dueAt()) : info != null ? millis(info.nextRunAt()) : null,
                first(millis(info != null ? info.startedAt() : null), browsed != null ? millis(browsed.startedAt()) : null),
                first(millis(info != null ? info.finishedAt() : null), browsed != null ? millis(browsed.finishedAt()) : null),
                Math.max(info != null ? info.attempt() : 0, browsed != null ? browsed.attempt() : 0),
                info != null && info.worker() != null ? info.worker() : browsed != null ? browsed.worker() : null,
                error(error, withValues, false), json(arguments, withValues),
                browsed != null ? browsed.deadLetterId() : null,
                info != null ? json(info.resultJson(), withValues) : null, headers(context.headers(), withValues),
                info != null ? info.progress() : null,
                info != null ? hidden(info.progressMessage(), withValues) : null, parent, context.rootId(), children,
                attempts, traceId, TraceIds.url(traceUrl, traceId), inWorkflow ? id : null);
    }

    /** A chord member's child is the chord, which runs its body next: the body's first task is shown instead. */
    private List<String> children(List<String> successors) {
        WorkflowStore store = workflows;
        if (store == null || successors.isEmpty()) {
            return successors;
        }
        return successors.stream().map(child -> {
            String body = store.chordBodyTaskId(child);
            return body != null ? body : child;
        }).distinct().toList();
    }

    /** A message's headers; their values are values (user headers may carry anything), their names are not. */
    private static Map<String, String> headers(Map<String, String> headers, boolean withValues) {
        Map<String, String> shown = new TreeMap<>();
        headers.forEach((name, value) -> shown.put(name, withValues ? value : HIDDEN));
        return shown;
    }

    private @Nullable TaskInfo recordOrNull(@Nullable String queue, String id) {
        try {
            return model.task(queue, id);
        }
        catch (ViewNotFoundException ex) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ workflows

    /**
     * A workflow as a graph ({@link WorkflowGraphs}): a group's members, a chord's header members and body, or the
     * steps that led to the task {@code id} (each submitted by the end of the one before), chords' headers included.
     */
    public Views.Workflow workflow(String id) {
        TaskQueueReadModel.checkTaskId(id);
        return new WorkflowGraphs(this::recordOrNull, workflows).graph(id);
    }

    // ------------------------------------------------------------------------------------------ catalog, schedules

    /** The tasks this application declares and those the workers of every service published. */
    public List<Views.CatalogTask> catalog() {
        return model.catalog().stream().map(entry -> {
            DeclaredTask task = entry.task();
            Map<String, Long> instances = new TreeMap<>();
            task.instances().forEach((worker, at) -> instances.put(worker, at.toEpochMilli()));
            return new Views.CatalogTask(task.name(), task.queue(), task.priority(), task.ignoreResult(),
                    task.parameters(), task.resultType(), policies(task), entry.declaredHere(), instances,
                    millis(task.lastSeen()));
        }).toList();
    }

    /** The policies a task declares, as JSON (retry, timeLimit, rateLimit, concurrency, unique). */
    public static JsonNode policies(DeclaredTask task) {
        return OptionsJson.write(JSON, TaskOptions.defaults().policies(task.policies()));
    }

    /** The periodic schedules with their last and next runs. */
    public List<Views.Schedule> schedules(boolean withValues) {
        return model.schedules().stream().map(entry -> new Views.Schedule(entry.info().name(), entry.info().task(),
                entry.queue(), entry.info().trigger(), entry.info().enabled(), millis(entry.info().lastTick()),
                millis(entry.info().nextTick()), hidden(entry.info().problem(), withValues))).toList();
    }

    // ------------------------------------------------------------------------------------------ rows

    private Views.TaskRow row(BrowsedTask task, boolean withValues) {
        return new Views.TaskRow(task.id(), task.name(), task.queue(), task.state(), millis(task.submittedAt()),
                millis(task.dueAt()), millis(task.startedAt()), millis(task.finishedAt()), task.attempt(),
                task.worker(), error(task.error(), withValues, false),
                json(model.mask().arguments(task.name(), task.argumentsJson()), withValues), task.deadLetterId());
    }

    private Views.TaskRow row(TaskInfo info, boolean withValues) {
        return new Views.TaskRow(info.id(), info.name(), info.queue(), info.state().name(), millis(info.submittedAt()),
                millis(info.nextRunAt()), millis(info.startedAt()), millis(info.finishedAt()), info.attempt(),
                info.worker(), error(info.error(), withValues, false), json(info.argumentsJson(), withValues), null);
    }

    /**
     * A dead letter as a row of its queue's dead tab, with the arguments of its message (masked by the read model);
     * none when the page kept too little of its message to read them.
     */
    private static Views.TaskRow row(DeadLetter letter, boolean withValues) {
        return new Views.TaskRow(letter.taskId(), letter.taskName(), letter.queue(), "DEAD", null, null, null,
                letter.failedAt().toEpochMilli(), letter.attempt(), letter.worker(),
                letter.errorType() == null ? null : new Views.Error(letter.errorType(),
                        hidden(letter.errorMessage(), withValues), null),
                json(MaskedMessages.arguments(letter.message()), withValues), letter.id());
    }

    private static Views.AttemptView attempt(Attempt attempt, boolean withValues) {
        return new Views.AttemptView(attempt.attempt(), attempt.worker(), millis(attempt.startedAt()),
                millis(attempt.finishedAt()), attempt.state(), error(attempt.error(), withValues, true));
    }

    private static Views.@Nullable Error error(@Nullable TaskError error, boolean withValues, boolean withStack) {
        return error == null ? null : new Views.Error(error.type(), hidden(error.message(), withValues),
                withStack ? hidden(error.stackTrace(), withValues) : null);
    }

    /** Stored JSON as a value the answer writes as JSON, shortened past {@value #JSON_PREVIEW} characters. */
    static @Nullable Object json(@Nullable String text, boolean withValues) {
        if (text == null) {
            return null;
        }
        if (!withValues) {
            return HIDDEN;
        }
        try {
            JsonNode value = JSON.readTree(text);
            return text.length() <= JSON_PREVIEW ? value : JsonPreview.of(value, JSON_PREVIEW);
        }
        catch (JacksonException ex) {
            return text; // text that is not JSON (arguments a former version cut short) stays text
        }
    }

    private static @Nullable String hidden(@Nullable String value, boolean withValues) {
        return value == null || withValues ? value : HIDDEN;
    }

    private static @Nullable Long millis(@Nullable Instant at) {
        return at == null ? null : at.toEpochMilli();
    }

    private static @Nullable Long first(@Nullable Long a, @Nullable Long b) {
        return a != null ? a : b;
    }

    private static int pageSize(@Nullable Integer count) {
        int size = count == null ? DEFAULT_PAGE_SIZE : count;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidViewRequestException("count must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
        return size;
    }

    private QueueBrowser browser() {
        QueueBrowser source = browser;
        if (source == null) {
            throw new ViewUnavailableException("Browsing a queue's tasks needs a QueueBrowser bean, which the Redis "
                    + "broker provides: this application's store has none");
        }
        return source;
    }
}
