package dev.taskqueue.actuate.view;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEventLog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import org.jspecify.annotations.Nullable;

/**
 * What operators read of the queues, as the actuator endpoint and the dashboard both show it:
 * <ol>
 * <li>the known queues (those the broker lists, this application declares or its worker consumes) and their counts;</li>
 * <li>the workers, the task catalog with what this application declares, the schedules with their queues;</li>
 * <li>one task's record, with the values its task declares sensitive masked ({@link ValueMask});</li>
 * <li>pages of dead letters (the arguments in their messages masked too), the chords not completed, the latest
 * events;</li>
 * <li>the transactional outbox, when the application has one ({@link OutboxOperations}): its depth and the rows the
 * relay gave up on, their previews masked as the arguments of the tasks they send.</li>
 * </ol>
 * A name that names nothing throws {@link ViewNotFoundException}, a malformed id or count
 * {@link InvalidViewRequestException}, each saying what is valid; a task id that several queues have throws
 * {@link dev.taskqueue.AmbiguousTaskIdException}. Each caller turns these into its own answers.
 */
public class TaskQueueReadModel {

    /** Dead letters per page when the request names no count. */
    public static final int DEFAULT_PAGE_SIZE = 20;

    /** Most dead letters per page. */
    public static final int MAX_PAGE_SIZE = 500;

    /** Events or chords returned when the request names no count. */
    public static final int DEFAULT_LIST_SIZE = 50;

    /** Most events or chords per request. */
    public static final int MAX_LIST_SIZE = 1000;

    private static final Pattern DEAD_LETTER_ID = Pattern.compile("\\d{1,20}-\\d{1,20}");

    private final QueueAdmin admin;
    private final TaskRegistry registry;
    private final Supplier<? extends Collection<String>> workerQueues;
    private final @Nullable ResultBackend results;
    private final TaskQueueOperations operations;
    private final @Nullable TaskEventLog events;
    private final @Nullable TaskQueueScheduler scheduler;
    private final ValueMask mask;
    private final @Nullable OutboxOperations outbox;

    /**
     * @param admin the queues to inspect
     * @param registry this application's tasks
     * @param workerQueues the queues this application's worker consumes (empty without a worker)
     * @param results where task records are read (none: no task view)
     * @param operations dead letters, chords and the catalog
     * @param events the cluster-wide event stream, or null when it is off
     * @param scheduler the periodic schedules, or null when the application has none
     * @param mask masks the values tasks declare sensitive
     */
    public TaskQueueReadModel(QueueAdmin admin, TaskRegistry registry,
            Supplier<? extends Collection<String>> workerQueues, @Nullable ResultBackend results,
            TaskQueueOperations operations, @Nullable TaskEventLog events, @Nullable TaskQueueScheduler scheduler,
            ValueMask mask) {
        this(admin, registry, workerQueues, results, operations, events, scheduler, mask, null);
    }

    /**
     * As the constructor above, with the transactional outbox.
     *
     * @param outbox the outbox's rows, or null when the application has none
     */
    public TaskQueueReadModel(QueueAdmin admin, TaskRegistry registry,
            Supplier<? extends Collection<String>> workerQueues, @Nullable ResultBackend results,
            TaskQueueOperations operations, @Nullable TaskEventLog events, @Nullable TaskQueueScheduler scheduler,
            ValueMask mask, @Nullable OutboxOperations outbox) {
        this.admin = admin;
        this.registry = registry;
        this.workerQueues = workerQueues;
        this.results = results;
        this.operations = operations;
        this.events = events;
        this.scheduler = scheduler;
        this.mask = mask;
        this.outbox = outbox;
    }

    /** The masking applied to what tasks carry. */
    public ValueMask mask() {
        return mask;
    }

    // ------------------------------------------------------------------------------------------ queues, workers

    /** Every queue the broker lists, this application declares, or its worker consumes. */
    public Set<String> knownQueues() {
        Set<String> names = registry.declaredQueues();
        names.addAll(workerQueues.get());
        names.addAll(admin.queues());
        return names;
    }

    /** The name, when the queue is known; else {@link ViewNotFoundException} listing the known ones. */
    public String existingQueue(String name) {
        if (registry.declaredQueues().contains(name) || workerQueues.get().contains(name)) {
            return name; // known here: no need to ask Redis
        }
        Set<String> known = knownQueues();
        if (!known.contains(name)) {
            throw new ViewNotFoundException("No queue '" + name + "': the broker lists none by that name and this "
                    + "application neither declares nor consumes it. Known queues: " + known);
        }
        return name;
    }

    /** The counts of every known queue. */
    public List<QueueStats> stats() {
        return admin.stats(knownQueues());
    }

    /** The counts of one known queue. */
    public QueueStats stats(String queue) {
        return admin.stats(existingQueue(queue));
    }

    /** The workers that heartbeat, and those lost without stopping. */
    public List<WorkerInfo> workers() {
        return admin.workers();
    }

    /** The live workers among {@code workers} that consume {@code queue} (none: its tasks wait until one does). */
    public static List<String> consumers(String queue, List<WorkerInfo> workers) {
        return workers.stream().filter(w -> !w.isLost() && w.queues().contains(queue)).map(WorkerInfo::id).toList();
    }

    // ------------------------------------------------------------------------------------------ catalog, schedules

    /**
     * A task of the catalog.
     *
     * @param task what it declares
     * @param declaredHere whether this application declares it
     */
    public record CatalogEntry(DeclaredTask task, boolean declaredHere) {
    }

    /** The tasks this application declares and those the workers of every service published. */
    public List<CatalogEntry> catalog() {
        Set<String> declaredHere = new HashSet<>();
        registry.all().forEach(task -> declaredHere.add(task.name()));
        return operations.catalog().stream()
                .map(task -> new CatalogEntry(task, declaredHere.contains(task.name()))).toList();
    }

    /** One task of the catalog, by name. */
    public CatalogEntry declaredTask(String name) {
        return catalog().stream().filter(entry -> entry.task().name().equals(name)).findFirst()
                .orElseThrow(() -> new ViewNotFoundException("No task '" + name + "' in the catalog: this "
                        + "application does not declare it and no worker has published it (workers publish their "
                        + "tasks when they start, and every 30 s)"));
    }

    /**
     * A periodic schedule.
     *
     * @param info what the scheduler tells of it
     * @param queue the queue its ticks go to: its call's, else its task's (from the catalog)
     */
    public record ScheduleEntry(Scheduler.ScheduleInfo info, String queue) {
    }

    /** The periodic schedules with their last and next ticks (empty when the application has none). */
    public List<ScheduleEntry> schedules() {
        TaskQueueScheduler current = scheduler;
        if (current == null) {
            return List.of();
        }
        Map<String, String> queues = new HashMap<>();
        operations.catalog().forEach(task -> queues.put(task.name(), task.queue()));
        return current.schedules().stream().map(info -> new ScheduleEntry(info, info.queue() != null ? info.queue()
                : queues.getOrDefault(info.task(), registry.defaultQueue()))).toList();
    }

    /** One periodic schedule. */
    public ScheduleEntry schedule(String name) {
        return schedules().stream().filter(s -> s.info().name().equals(name)).findFirst()
                .orElseThrow(() -> noSchedule(name));
    }

    /** The schedules' scheduler, when this name is one of its schedules. */
    public TaskQueueScheduler scheduler(String name) {
        TaskQueueScheduler current = scheduler;
        if (current == null || !current.names().contains(name)) {
            throw noSchedule(name);
        }
        return current;
    }

    private ViewNotFoundException noSchedule(String name) {
        TaskQueueScheduler current = scheduler;
        return new ViewNotFoundException("No schedule '" + name + "'. Known schedules: "
                + (current == null ? List.of() : current.names()) + " (declared with @Periodic, "
                + "taskqueue.schedules.<name>.* or Schedule beans)");
    }

    // ------------------------------------------------------------------------------------------ tasks

    /**
     * The record of the task with this id in {@code queue} (any queue when null), with what it declares sensitive
     * masked.
     *
     * @throws dev.taskqueue.AmbiguousTaskIdException without a queue, when several queues have the id
     */
    public TaskInfo task(@Nullable String queue, String id) {
        checkTaskId(id);
        ResultBackend backend = results;
        if (backend == null) {
            throw new ViewNotFoundException("This application has no result backend: tasks cannot be looked up here");
        }
        TaskInfo info = backend.find(queue == null ? null : existingQueue(queue), id);
        if (info.equals(TaskInfo.pending(id, queue))) {
            throw new ViewNotFoundException("No record of task '" + id + "'" + (queue == null ? "" : " in queue '"
                    + queue + "'") + ": it is unknown, its record expired (taskqueue.result-ttl), or it still waits "
                    + "in its queue (a task submitted without a caller-chosen id gets its record when it starts)");
        }
        return masked(info);
    }

    /** The record's arguments and result with what its task declares sensitive masked. */
    public TaskInfo masked(TaskInfo info) {
        return new TaskInfo(info.id(), info.name(), info.queue(), info.state(), info.worker(), info.submittedAt(),
                info.startedAt(), info.finishedAt(), info.attempt(), mask.result(info.name(), info.resultJson()),
                info.error(), info.nextRunAt(), info.progress(), info.progressMessage(),
                mask.arguments(info.name(), info.argumentsJson()), info.parentId());
    }

    /** The state of the task now (after an action), or null without a result backend. */
    public @Nullable TaskInfo record(@Nullable String queue, String id) {
        ResultBackend backend = results;
        return backend == null ? null : backend.find(queue, id);
    }

    // ------------------------------------------------------------------------------------------ dead letters

    /**
     * A page of dead letters.
     *
     * @param letters newest first
     * @param next what to pass as {@code before} for the next page, or null when this is the last one
     */
    public record DeadLetterSlice(List<DeadLetter> letters, @Nullable String next) {
    }

    /**
     * A page of a queue's dead letters, newest first, the arguments in their messages masked where their task declares
     * them sensitive.
     *
     * @param before the id of the last dead letter of the previous page, or null
     * @param count at most this many ({@value #DEFAULT_PAGE_SIZE} when null)
     */
    public DeadLetterSlice deadLetters(String queue, @Nullable String before, @Nullable Integer count) {
        existingQueue(queue);
        int size = count == null ? DEFAULT_PAGE_SIZE : count;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidViewRequestException("count must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
        if (before != null) {
            checkDeadLetterId(before);
        }
        List<DeadLetter> letters = operations.deadLetters(queue, before, size);
        String last = letters.isEmpty() ? null : letters.get(letters.size() - 1).id();
        // A page of large letters holds fewer than asked before the last one: then only a read past it can tell.
        boolean more = last != null && (letters.size() == size || !operations.deadLetters(queue, last, 1).isEmpty());
        return new DeadLetterSlice(letters.stream().map(letter -> MaskedMessages.masked(mask, letter)).toList(),
                more ? last : null);
    }

    /** One dead letter, whole up to {@code taskqueue.max-payload-size}, its arguments masked as in a page. */
    public DeadLetter deadLetter(String queue, String id) {
        existingQueue(queue);
        checkDeadLetterId(id);
        DeadLetter letter = operations.deadLetter(queue, id);
        if (letter == null) {
            throw noDeadLetter(queue, id);
        }
        return MaskedMessages.masked(mask, letter);
    }

    /** The error for a dead letter that is not there. */
    public static ViewNotFoundException noDeadLetter(String queue, String id) {
        return new ViewNotFoundException("No dead letter '" + id + "' in queue '" + queue + "' (requeued, deleted, or "
                + "trimmed by taskqueue.dead-letters.max-length or max-age)");
    }

    // ------------------------------------------------------------------------------------------ events, chords

    /** The latest events of every instance, newest first. */
    public List<TaskEvent> events(@Nullable Integer count) {
        TaskEventLog log = events;
        if (log == null) {
            throw new ViewNotFoundException("The event stream is off: set taskqueue.events.stream.enabled=true to "
                    + "collect the task events of every instance in Redis");
        }
        return log.recent(listSize(count));
    }

    /** Chords that have not completed, oldest first: open ones with their progress, failed ones with why. */
    public List<ChordStatus> chords(@Nullable Integer count) {
        return operations.chords(listSize(count));
    }

    private static int listSize(@Nullable Integer count) {
        int size = count == null ? DEFAULT_LIST_SIZE : count;
        if (size < 1 || size > MAX_LIST_SIZE) {
            throw new InvalidViewRequestException("count must be between 1 and " + MAX_LIST_SIZE + ", got " + size);
        }
        return size;
    }

    // ------------------------------------------------------------------------------------------ outbox

    /** The outbox's depth, or null when the application has no outbox. */
    public OutboxOperations.@Nullable Status outbox() {
        OutboxOperations current = outbox;
        return current == null ? null : current.status();
    }

    /**
     * Up to {@code count} rows the relay gave up on ({@value #DEFAULT_PAGE_SIZE} when null), oldest first, each
     * preview masked whole when a task it sends declares sensitive values (a preview is the start of the payload,
     * which cannot be read as JSON: as a dead letter's cut message, it is masked whole).
     */
    public List<OutboxOperations.FailedRow> failedOutboxRows(@Nullable Integer count) {
        int size = count == null ? DEFAULT_PAGE_SIZE : count;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidViewRequestException("count must be between 1 and " + MAX_PAGE_SIZE + ", got " + size);
        }
        return outboxOperations().failed(size).stream().map(this::masked).toList();
    }

    private OutboxOperations.FailedRow masked(OutboxOperations.FailedRow row) {
        for (String task : row.tasks()) {
            String masked = mask.arguments(task, row.preview());
            if (!row.preview().equals(masked)) {
                return new OutboxOperations.FailedRow(row.id(), row.createdAt(), row.failedAt(), row.error(),
                        row.payloadLength(), row.tasks(), String.valueOf(masked));
            }
        }
        return row;
    }

    /** The outbox, or {@link ViewNotFoundException} saying how to have one. */
    OutboxOperations outboxOperations() {
        OutboxOperations current = outbox;
        if (current == null) {
            throw new ViewNotFoundException("This application has no transactional outbox: add taskqueue-outbox and "
                    + "set taskqueue.submit.transactions=outbox (or taskqueue.outbox.enabled=true)");
        }
        return current;
    }

    /** The row id an operator named, or {@link InvalidViewRequestException} when it is not one. */
    static long outboxRowId(String id) {
        try {
            long row = Long.parseLong(id);
            if (row > 0) {
                return row;
            }
        }
        catch (NumberFormatException ex) {
            // said below
        }
        throw new InvalidViewRequestException("'" + id + "' is not an outbox row id: those are positive numbers "
                + "(see the 'id' of each failed row)");
    }

    /** The error for a failed outbox row that is not there. */
    static ViewNotFoundException noFailedOutboxRow(long id) {
        return new ViewNotFoundException("No failed outbox row " + id + ": it was retried or deleted, or it is still "
                + "pending (only rows the relay gave up on can be retried or deleted)");
    }

    // ------------------------------------------------------------------------------------------ checks

    /** Throws {@link InvalidViewRequestException} for an id taskqueue would not accept. */
    public static void checkTaskId(String id) {
        try {
            TaskIds.check(id);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidViewRequestException(ex.getMessage());
        }
    }

    /** Throws {@link InvalidViewRequestException} for a malformed dead letter id. */
    public static void checkDeadLetterId(String id) {
        if (!DEAD_LETTER_ID.matcher(id).matches()) {
            throw new InvalidViewRequestException("'" + id + "' is not a dead letter id: those look like "
                    + "1732400000000-0 (see the 'id' of each dead letter)");
        }
    }
}
