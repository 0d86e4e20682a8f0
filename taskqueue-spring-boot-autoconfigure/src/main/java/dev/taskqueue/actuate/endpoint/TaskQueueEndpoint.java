package dev.taskqueue.actuate.endpoint;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.taskqueue.AmbiguousTaskIdException;
import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.DeclaredTask;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.actuate.view.InvalidViewRequestException;
import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.actuate.view.TaskQueueActions;
import dev.taskqueue.actuate.view.TaskQueueReadModel;
import dev.taskqueue.actuate.view.ValueMask;
import dev.taskqueue.actuate.view.ViewNotFoundException;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEventLog;
import dev.taskqueue.internal.JsonPreview;
import dev.taskqueue.internal.OptionsJson;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.schedule.Schedule;
import dev.taskqueue.schedule.Scheduler;
import dev.taskqueue.spring.TaskQueueScheduler;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

// Longer than the ~600 lines we aim for: its second half is the endpoint's JSON, records nested in it as Boot's own
// endpoints nest their descriptors, so that users know them as TaskQueueEndpoint.TaskView and so on.
/**
 * The {@code taskqueue} actuator endpoint: everything an operator asks about the queues, and what they do to them.
 *
 * <pre>
 * GET    /actuator/taskqueue                                        overview: broker, totals, queues, workers, schedules, tasks
 * GET    /actuator/taskqueue/{queues|workers|tasks|schedules|chords|events}  one list (chords, events: ?count=)
 * GET    /actuator/taskqueue/queues/{name}                          one queue: counts by state, oldest pending age, throughput, paused
 * GET    /actuator/taskqueue/schedules/{name}                       one periodic schedule: trigger, enabled, last and next tick
 * GET    /actuator/taskqueue/tasks/{id}                             one task: state, arguments, attempt, timings, worker, progress, parent, result or error
 * GET    /actuator/taskqueue/queues/{name}/tasks/{id}               the task with that id in that queue
 * GET    /actuator/taskqueue/queues/{name}/dead-letters             a page of dead letters, newest first (?before=&amp;count=)
 * GET    /actuator/taskqueue/queues/{name}/dead-letters/{id}        one dead letter, with its message and stack trace (up to max-payload-size)
 * POST   /actuator/taskqueue/queues/{name}/{pause|resume|purge}
 * POST   /actuator/taskqueue/queues/{name}/dead-letters/requeue     every dead letter back to its queue
 * POST   /actuator/taskqueue/queues/{name}/dead-letters/{id}/requeue
 * DELETE /actuator/taskqueue/queues/{name}/dead-letters             every dead letter
 * DELETE /actuator/taskqueue/queues/{name}/dead-letters/{id}
 * POST   /actuator/taskqueue/tasks/{id}/{revoke|terminate}          terminate also interrupts it if it runs
 * POST   /actuator/taskqueue/queues/{name}/tasks/{id}/{revoke|terminate}
 * POST   /actuator/taskqueue/schedules/{name}/{enable|disable}      for every instance (stored in Redis)
 * GET    /actuator/taskqueue/outbox                                 the outbox: depth, oldest row's age, the rows the relay gave up on (?count=)
 * POST   /actuator/taskqueue/outbox/{id}/retry                      a failed row back to the relay
 * DELETE /actuator/taskqueue/outbox/{id}                            a failed row, for good
 * </pre>
 *
 * <p>The actuator maps operations by their number of selectors and their HTTP method, so each operation below
 * serves one path shape and dispatches on its selectors. Write operations take no parameters besides their
 * selectors: one that did would make the actuator require a JSON {@code Content-Type}, and a plain
 * {@code curl -X POST} would get 415 (hence {@code terminate} is an action rather than {@code ?terminate=true}). A selector that names nothing valid throws
 * {@link InvalidEndpointRequestException} (400), saying what is valid, as does a task id that several queues have
 * (a caller-chosen id is unique per queue: {@code queues/{name}/tasks/{id}} names one); an unknown queue, task or dead letter
 * throws {@link NotFoundException} (404 through {@link TaskQueueEndpointWebExtension}), as do the outbox paths
 * when the application has no outbox (the overview then has no {@code outbox} section). The typed methods
 * ({@link #queue}, {@link #pause}, ...) serve Java callers and tests.
 *
 * <p>It reads and acts through the read model it shares with the dashboard ({@link TaskQueueReadModel},
 * {@link TaskQueueActions}), which masks what tasks declare sensitive ({@link ValueMask}); this class shapes the
 * answers as JSON and turns the model's errors into the endpoint's.
 *
 * <p>Access is read-only by default: writes need {@code management.endpoint.taskqueue.access=unrestricted}.
 * A queue is known when the broker lists it or this application declares or consumes it.
 *
 * <p>What tasks carry are values, as Boot's {@code env} endpoint has values: a task's arguments, result, progress
 * message and error message and stack trace; a dead letter's message (the task's arguments and headers), reason,
 * error message and stack trace; an event's error message; a chord's failure; a schedule's problem; a failed outbox
 * row's error and preview (the start of its payload: the tasks' arguments); and the broker's address. The operations
 * answer them as {@value #HIDDEN} unless {@code show-values} says to show them: over JMX (and to Java callers of
 * the operations) {@link Show#WHEN_AUTHORIZED} shows them, as Boot's endpoints do; over HTTP,
 * {@link TaskQueueEndpointWebExtension} asks the caller's roles. Everything else (states, names, ids, timings, counts,
 * error types) is always shown. The typed methods that are not operations ({@link #task}, ...) answer values.
 */
@Endpoint(id = "taskqueue", defaultAccess = Access.READ_ONLY)
public class TaskQueueEndpoint {

    /** Dead letters per page when the request names no count. */
    public static final int DEFAULT_PAGE_SIZE = TaskQueueReadModel.DEFAULT_PAGE_SIZE;

    /** Most dead letters per page. */
    public static final int MAX_PAGE_SIZE = TaskQueueReadModel.MAX_PAGE_SIZE;

    /** Events or chords returned when the request names no count. */
    public static final int DEFAULT_LIST_SIZE = TaskQueueReadModel.DEFAULT_LIST_SIZE;

    /** Most events or chords per request. */
    public static final int MAX_LIST_SIZE = TaskQueueReadModel.MAX_LIST_SIZE;

    /** Characters of a dead letter's message shown in a page (the dead letter itself shows all). */
    static final int MESSAGE_PREVIEW = 500;

    /** About how many characters of JSON a task's result may take in its view before it is shortened. */
    static final int RESULT_PREVIEW = 4096;

    private static final String QUEUES = "queues";

    private static final String TASKS = "tasks";

    private static final String CATALOG = "catalog";

    private static final String DEAD_LETTERS = "dead-letters";

    private static final String SCHEDULES = "schedules";

    private static final String OUTBOX = "outbox";

    private static final JsonMapper JSON = JsonMapper.shared();

    /** What a value that is not shown reads as, as in Boot's own endpoints. */
    public static final String HIDDEN = SanitizableData.SANITIZED_VALUE;

    private final TaskQueueReadModel model;
    private final TaskQueueActions actions;
    private final String brokerDescription;
    private final Show showValues;

    /**
     * @param admin the queues to inspect and act on
     * @param brokerDescription what the store is, its kind then its address, such as {@code redis 127.0.0.1:6379}
     *        (the address is a value)
     * @param registry this application's tasks
     * @param workerQueues the queues this application's worker consumes (empty without a worker)
     * @param results where task records are read (none: no task view)
     * @param operations dead letters and revocation
     * @param events the cluster-wide event stream, or null when it is off
     * @param scheduler the periodic schedules, or null when the application has none
     * @param showValues when its operations show values (over JMX: {@link Show#WHEN_AUTHORIZED} shows them)
     *        (built this way, it masks no {@code @Sensitive} value: the auto-configured one shares the masking read
     *        model)
     */
    public TaskQueueEndpoint(QueueAdmin admin, String brokerDescription, TaskRegistry registry,
            Supplier<? extends Collection<String>> workerQueues, @Nullable ResultBackend results,
            TaskQueueOperations operations, @Nullable TaskEventLog events, @Nullable TaskQueueScheduler scheduler,
            Show showValues) {
        this(new TaskQueueReadModel(admin, registry, workerQueues, results, operations, events, scheduler,
                ValueMask.NONE), admin, operations, brokerDescription, showValues);
    }

    private TaskQueueEndpoint(TaskQueueReadModel model, QueueAdmin admin, TaskQueueOperations operations,
            String brokerDescription, Show showValues) {
        this(model, new TaskQueueActions(model, admin, operations, null), brokerDescription, showValues);
    }

    /**
     * @param model what it reads (the read model the dashboard shares, with its masking)
     * @param actions what it does
     * @param brokerDescription what the store is, its kind then its address (the address is a value)
     * @param showValues when its operations show values (over JMX: {@link Show#WHEN_AUTHORIZED} shows them)
     */
    public TaskQueueEndpoint(TaskQueueReadModel model, TaskQueueActions actions, String brokerDescription,
            Show showValues) {
        this.model = model;
        this.actions = actions;
        this.brokerDescription = brokerDescription;
        this.showValues = showValues;
    }

    // ------------------------------------------------------------------------------------------ operations

    /**
     * {@code GET /actuator/taskqueue}: the broker, totals, queues, workers, schedules, the task catalog and, when the
     * application has one, the outbox.
     */
    @ReadOperation
    public Overview overview() {
        return overview(showValues.isShown(true));
    }

    /** As {@link #overview()}, with or without values. */
    Overview overview(boolean withValues) {
        List<WorkerInfo> workers = model.workers();
        List<QueueDescriptor> queues = queues(workers);
        List<WorkerDescriptor> workerViews = workers.stream().map(WorkerDescriptor::of).toList();
        OutboxOperations.Status outbox = model.outbox();
        return values(new Overview(brokerDescription, Totals.of(queues, workerViews), queues, workerViews,
                schedules(), catalog(), outbox == null ? null : OutboxStatus.of(outbox)), withValues);
    }

    /**
     * {@code GET /actuator/taskqueue/{kind}}: queues, workers, catalog (the tasks every service declares), schedules,
     * chords (not completed), events, or the outbox with its failed rows.
     */
    @ReadOperation
    public Object list(@Selector String kind, @Nullable Integer count) {
        return list(kind, count, showValues.isShown(true));
    }

    /** As {@link #list(String, Integer)}, with or without values. */
    Object list(String kind, @Nullable Integer count, boolean withValues) {
        return values(switch (kind) {
            case QUEUES -> queues(model.workers());
            case "workers" -> workers();
            case CATALOG -> catalog();
            case SCHEDULES -> schedules();
            case "chords" -> chords(count);
            case "events" -> events(count);
            case OUTBOX -> outbox(count);
            case TASKS -> throw invalid("'tasks' is not a list: tasks/{id} is one task (one run); the tasks every "
                    + "service declares are listed at catalog");
            default -> throw invalid("'" + kind + "' is not a list: use queues, workers, catalog, schedules, chords, "
                    + "events or outbox");
        }, withValues);
    }

    /** {@code GET /actuator/taskqueue/queues/{name}}, {@code /tasks/{id}}, {@code /catalog/{name}} or a schedule. */
    @ReadOperation
    public Object get(@Selector String kind, @Selector String name) {
        return get(kind, name, showValues.isShown(true));
    }

    /** As {@link #get(String, String)}, with or without values. */
    Object get(String kind, String name, boolean withValues) {
        return values(switch (kind) {
            case QUEUES -> queue(name);
            case TASKS -> task(name);
            case CATALOG -> declaredTask(name);
            case SCHEDULES -> schedule(name);
            default -> throw invalid("'" + kind + "' has no entries: use queues/{name}, tasks/{id}, catalog/{name} or "
                    + "schedules/{name}");
        }, withValues);
    }

    /** {@code GET /actuator/taskqueue/queues/{name}/dead-letters?before=&count=}. */
    @ReadOperation
    public DeadLetterPage getQueuePart(@Selector String kind, @Selector String name, @Selector String part,
            @Nullable String before, @Nullable Integer count) {
        return getQueuePart(kind, name, part, before, count, showValues.isShown(true));
    }

    /** As {@link #getQueuePart}, with or without values. */
    DeadLetterPage getQueuePart(String kind, String name, String part, @Nullable String before,
            @Nullable Integer count, boolean withValues) {
        queuePart(kind, part);
        return values(deadLetters(name, before, count), withValues);
    }

    /** {@code GET /actuator/taskqueue/queues/{name}/dead-letters/{id}} or {@code /queues/{name}/tasks/{id}}. */
    @ReadOperation
    public Object getQueuePartEntry(@Selector String kind, @Selector String name, @Selector String part,
            @Selector String id) {
        return getQueuePartEntry(kind, name, part, id, showValues.isShown(true));
    }

    /** As {@link #getQueuePartEntry}, with or without values. */
    Object getQueuePartEntry(String kind, String name, String part, String id, boolean withValues) {
        if (isQueueTasks(kind, part)) {
            return values(task(name, id), withValues);
        }
        queuePart(kind, part);
        return values(deadLetter(name, id), withValues);
    }

    /**
     * {@code POST /actuator/taskqueue/queues/{name}/{pause|resume|purge}}, {@code /tasks/{id}/{revoke|terminate}},
     * {@code /schedules/{name}/{enable|disable}} or {@code /outbox/{id}/retry}.
     */
    @WriteOperation
    public Object act(@Selector String kind, @Selector String name, @Selector String action) {
        return act(kind, name, action, showValues.isShown(true));
    }

    /** As {@link #act}, with or without values (a schedule's problem). */
    Object act(String kind, String name, String action, boolean withValues) {
        if (kind.equals(SCHEDULES)) {
            return values(switch (action) {
                case "enable" -> enableSchedule(name, true);
                case "disable" -> enableSchedule(name, false);
                default -> throw invalid("'" + action + "' is not an action on a schedule: use enable or disable");
            }, withValues);
        }
        if (kind.equals(TASKS)) {
            return revoke(name, taskAction(action));
        }
        if (kind.equals(OUTBOX)) {
            if (!action.equals("retry")) {
                throw invalid("'" + action + "' is not an action on an outbox row: use retry (or DELETE to delete it)");
            }
            return retryOutboxRow(name);
        }
        if (!kind.equals(QUEUES)) {
            throw invalid("'" + kind + "' has no actions: use queues/{name}/{pause|resume|purge}, "
                    + "tasks/{id}/{revoke|terminate}, schedules/{name}/{enable|disable} or outbox/{id}/retry");
        }
        return switch (action) {
            case "pause" -> pause(name);
            case "resume" -> resume(name);
            case "purge" -> purge(name);
            default -> throw invalid("'" + action + "' is not an action on a queue: use pause, resume or purge");
        };
    }

    /** {@code POST /actuator/taskqueue/queues/{name}/dead-letters/requeue}. */
    @WriteOperation
    public QueueChange actOnQueuePart(@Selector String kind, @Selector String name, @Selector String part,
            @Selector String action) {
        queuePart(kind, part);
        requeueAction(action);
        return requeueDeadLetters(name);
    }

    /**
     * {@code POST /actuator/taskqueue/queues/{name}/dead-letters/{id}/requeue} or
     * {@code /queues/{name}/tasks/{id}/{revoke|terminate}}.
     */
    @WriteOperation
    public Object actOnQueuePartEntry(@Selector String kind, @Selector String name, @Selector String part,
            @Selector String id, @Selector String action) {
        if (isQueueTasks(kind, part)) {
            return revoke(name, id, taskAction(action));
        }
        queuePart(kind, part);
        requeueAction(action);
        return requeueDeadLetter(name, id);
    }

    /** {@code DELETE /actuator/taskqueue/outbox/{id}}: a row the relay gave up on, for good. */
    @DeleteOperation
    public OutboxChange deleteEntry(@Selector String kind, @Selector String id) {
        if (!kind.equals(OUTBOX)) {
            throw invalid("'" + kind + "/{id}' cannot be deleted: use outbox/{id}, "
                    + "queues/{name}/dead-letters or queues/{name}/dead-letters/{id}");
        }
        return deleteOutboxRow(id);
    }

    /** {@code DELETE /actuator/taskqueue/queues/{name}/dead-letters}. */
    @DeleteOperation
    public QueueChange deleteQueuePart(@Selector String kind, @Selector String name, @Selector String part) {
        queuePart(kind, part);
        return deleteDeadLetters(name);
    }

    /** {@code DELETE /actuator/taskqueue/queues/{name}/dead-letters/{id}}. */
    @DeleteOperation
    public QueueChange deleteQueuePartEntry(@Selector String kind, @Selector String name, @Selector String part,
            @Selector String id) {
        queuePart(kind, part);
        return deleteDeadLetter(name, id);
    }

    private static void queuePart(String kind, String part) {
        if (!kind.equals(QUEUES) || !part.equals(DEAD_LETTERS)) {
            throw invalid("'" + kind + "/{name}/" + part + "' is not a part of a queue: use queues/{name}/dead-letters"
                    + " or queues/{name}/tasks/{id}");
        }
    }

    private static boolean isQueueTasks(String kind, String part) {
        return kind.equals(QUEUES) && part.equals(TASKS);
    }

    /** Whether a task action terminates: {@code revoke} or {@code terminate}. */
    private static boolean taskAction(String action) {
        return switch (action) {
            case "revoke" -> false;
            case "terminate" -> true;
            default -> throw invalid("'" + action + "' is not an action on a task: use revoke, or terminate to "
                    + "also interrupt it if it runs");
        };
    }

    private static void requeueAction(String action) {
        if (!action.equals("requeue")) {
            throw invalid("'" + action + "' is not an action on dead letters: use requeue (or DELETE to delete them)");
        }
    }

    // ------------------------------------------------------------------------------------------ reads

    /** One queue's counts. */
    public QueueDescriptor queue(String name) {
        return translated(() -> QueueDescriptor.of(model.stats(name), model.workers()));
    }

    /** The task's record, from the one queue that has it (400 when several have the id). */
    public TaskView task(String id) {
        return task(null, id);
    }

    /** The record of the task with this id in {@code queue} (any queue when null). */
    public TaskView task(@Nullable String queue, String id) {
        return translated(() -> TaskView.of(model.task(queue, id)));
    }

    /**
     * A page of a queue's dead letters, newest first, with shortened messages and no stack traces.
     *
     * @param before the id of the last dead letter of the previous page ({@link DeadLetterPage#next()}), or null
     * @param count at most this many ({@value #DEFAULT_PAGE_SIZE} when null)
     */
    public DeadLetterPage deadLetters(String queue, @Nullable String before, @Nullable Integer count) {
        TaskQueueReadModel.DeadLetterSlice slice = translated(() -> model.deadLetters(queue, before, count));
        return new DeadLetterPage(queue, slice.letters().stream()
                .map(letter -> DeadLetterView.of(letter, MESSAGE_PREVIEW)).toList(), slice.next());
    }

    /** One dead letter, whole up to {@code taskqueue.max-payload-size}. */
    public DeadLetterView deadLetter(String queue, String id) {
        return DeadLetterView.of(translated(() -> model.deadLetter(queue, id)), Integer.MAX_VALUE);
    }

    /** The latest events of every instance, newest first. */
    public List<EventView> events(@Nullable Integer count) {
        return translated(() -> model.events(count)).stream().map(EventView::of).toList();
    }

    /** Chords that have not completed, oldest first: open ones with their progress, failed ones with why. */
    public List<ChordView> chords(@Nullable Integer count) {
        return translated(() -> model.chords(count)).stream().map(ChordView::of).toList();
    }

    /**
     * The outbox's depth and up to {@code count} rows the relay gave up on ({@value #DEFAULT_PAGE_SIZE} when null),
     * oldest first.
     */
    public OutboxDetail outbox(@Nullable Integer count) {
        List<FailedOutboxRow> rows = translated(() -> model.failedOutboxRows(count)).stream()
                .map(FailedOutboxRow::of).toList();
        OutboxOperations.Status status = model.outbox();
        return OutboxDetail.of(status == null ? OutboxStatus.NONE : OutboxStatus.of(status), rows);
    }

    private List<WorkerDescriptor> workers() {
        return model.workers().stream().map(WorkerDescriptor::of).toList();
    }

    /** Every known queue with its counts and the live workers that consume it. */
    private List<QueueDescriptor> queues(List<WorkerInfo> workers) {
        return model.stats().stream().map(stats -> QueueDescriptor.of(stats, workers)).toList();
    }

    /** The tasks this application declares and those the workers of every service published. */
    public List<CatalogView> catalog() {
        return model.catalog().stream().map(CatalogView::of).toList();
    }

    /** One task of the catalog, by name. */
    public CatalogView declaredTask(String name) {
        return CatalogView.of(translated(() -> model.declaredTask(name)));
    }

    /** The periodic schedules with their last and next ticks (empty when the application has none). */
    public List<ScheduleView> schedules() {
        return model.schedules().stream().map(ScheduleView::of).toList();
    }

    /** One periodic schedule. */
    public ScheduleView schedule(String name) {
        return ScheduleView.of(translated(() -> model.schedule(name)));
    }

    // ------------------------------------------------------------------------------------------ actions

    /** Pauses a queue for every worker (running tasks finish; submissions are still accepted). */
    public QueueDescriptor pause(String queue) {
        act(() -> actions.pause(queue));
        return queue(queue);
    }

    /** Resumes a paused queue. */
    public QueueDescriptor resume(String queue) {
        act(() -> actions.resume(queue));
        return queue(queue);
    }

    /** Deletes the queue's waiting tasks, ready and delayed (not those running). */
    public QueueChange purge(String queue) {
        return new QueueChange(queue, "purge", translated(() -> actions.purge(queue)));
    }

    /** Puts every dead letter of a queue back in it, oldest first, each as a fresh first attempt. */
    public QueueChange requeueDeadLetters(String queue) {
        return new QueueChange(queue, "requeue dead letters", translated(() -> actions.requeueDeadLetters(queue)));
    }

    /** Puts one dead letter back in its queue as a fresh first attempt. */
    public QueueChange requeueDeadLetter(String queue, String id) {
        act(() -> actions.requeueDeadLetter(queue, id));
        return new QueueChange(queue, "requeue dead letter " + id, 1);
    }

    /** Deletes every dead letter of a queue. */
    public QueueChange deleteDeadLetters(String queue) {
        return new QueueChange(queue, "delete dead letters", translated(() -> actions.deleteDeadLetters(queue)));
    }

    /** Deletes one dead letter. */
    public QueueChange deleteDeadLetter(String queue, String id) {
        act(() -> actions.deleteDeadLetter(queue, id));
        return new QueueChange(queue, "delete dead letter " + id, 1);
    }

    /**
     * Revokes a task wherever it waits, and in any instance that runs it (interrupting it if {@code terminate}).
     * An id without a record is revoked too: a task queued without a caller-chosen id has no record until it
     * starts, and the revocation is remembered for when a worker claims it. An id that several queues have is
     * refused (400): name the queue.
     */
    public Revocation revoke(String taskId, boolean terminate) {
        return revoke(null, taskId, terminate);
    }

    /** Revokes the task with this id in {@code queue} (as {@link #revoke(String, boolean)} when null). */
    public Revocation revoke(@Nullable String queue, String taskId, boolean terminate) {
        boolean recorded = translated(() -> actions.revoke(queue, taskId, terminate));
        TaskInfo now = translated(() -> model.record(queue, taskId));
        return new Revocation(taskId, terminate, recorded, now == null ? null : now.state());
    }

    /** Makes a row the outbox relay gave up on pending again, for its next round. */
    public OutboxChange retryOutboxRow(String id) {
        return outboxChange(translated(() -> actions.retryOutboxRow(id)), "retry");
    }

    /** Deletes a row the outbox relay gave up on, for good (its tasks are never sent). */
    public OutboxChange deleteOutboxRow(String id) {
        return outboxChange(translated(() -> actions.deleteOutboxRow(id)), "delete");
    }

    private OutboxChange outboxChange(long id, String action) {
        OutboxOperations.Status status = model.outbox();
        return new OutboxChange(id, action, status == null ? OutboxStatus.NONE : OutboxStatus.of(status));
    }

    /** Enables or disables a periodic schedule on every instance (stored in Redis). */
    public ScheduleView enableSchedule(String name, boolean enabled) {
        act(() -> actions.enableSchedule(name, enabled));
        return schedule(name);
    }

    // ------------------------------------------------------------------------------------------ values

    /** An answer that holds values: what tasks carry, hidden unless shown. */
    interface HoldsValues {

        /** The same answer with each value that it holds read as {@value TaskQueueEndpoint#HIDDEN}. */
        Object withValuesHidden();
    }

    /** The answer as is, or with its values hidden (in each item of a list). */
    @SuppressWarnings("unchecked")
    static <T> T values(T answer, boolean withValues) {
        if (withValues) {
            return answer;
        }
        if (answer instanceof HoldsValues holder) {
            return (T) holder.withValuesHidden();
        }
        if (answer instanceof List<?> list) {
            return (T) list.stream().map(item -> values(item, false)).toList();
        }
        return answer;
    }

    /** {@value #HIDDEN} for a value, null for none. */
    private static @Nullable String hidden(@Nullable Object value) {
        return value == null ? null : HIDDEN;
    }

    // ------------------------------------------------------------------------------------------ checks

    /**
     * Runs a read of the model, answering its errors as the endpoint's: 404 for what does not exist, 400 for a
     * request that names nothing valid or a task id that several queues have.
     */
    private static <T> T translated(Supplier<T> read) {
        try {
            return read.get();
        }
        catch (ViewNotFoundException ex) {
            throw new NotFoundException(ex.getMessage());
        }
        catch (InvalidViewRequestException | AmbiguousTaskIdException ex) {
            throw invalid(ex.getMessage());
        }
    }

    /** Runs an action, answering its errors as {@link #translated(Supplier)}. */
    private static void act(Runnable action) {
        translated(() -> {
            action.run();
            return action;
        });
    }

    private static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }
    /** An unknown queue, task or dead letter: 404 on the web. */
    public static class NotFoundException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        public NotFoundException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------------------------------ descriptors

    /**
     * Everything at a glance.
     *
     * @param broker what the broker is
     * @param totals sums over the queues and workers
     * @param queues each queue's counts
     * @param workers the workers that heartbeat, and those lost without stopping
     * @param schedules the periodic schedules
     * @param catalog the tasks this application declares and those the workers of every service published
     * @param outbox the transactional outbox's depth; left out when the application has none
     */
    public record Overview(String broker, Totals totals, List<QueueDescriptor> queues,
            List<WorkerDescriptor> workers, List<ScheduleView> schedules, List<CatalogView> catalog,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable OutboxStatus outbox) implements HoldsValues {

        /** Hides the broker's address (what follows its kind) and the schedules' problems. */
        @Override
        public Overview withValuesHidden() {
            int address = broker.indexOf(' ');
            return new Overview(address < 0 ? broker : broker.substring(0, address + 1) + HIDDEN, totals, queues,
                    workers, values(schedules, false), catalog, outbox);
        }
    }

    /**
     * The transactional outbox's depth.
     *
     * @param pending rows waiting for the relay
     * @param oldestAgeSeconds how long the oldest pending row has waited, by the database's clock (0 when none waits)
     * @param failed rows the relay gave up on (listed at {@code outbox}), which wait for an operator
     * @param table the outbox table
     */
    public record OutboxStatus(long pending, double oldestAgeSeconds, long failed, String table) {

        /** What an action answers when the outbox went away meanwhile (never, in practice). */
        static final OutboxStatus NONE = new OutboxStatus(0, 0, 0, "");

        static OutboxStatus of(OutboxOperations.Status status) {
            return new OutboxStatus(status.pending(), status.oldestPendingAge().toMillis() / 1000.0, status.failed(),
                    status.table());
        }
    }

    /**
     * The transactional outbox with the rows the relay gave up on.
     *
     * @param pending rows waiting for the relay
     * @param oldestAgeSeconds how long the oldest pending row has waited (0 when none waits)
     * @param failed how many rows the relay gave up on
     * @param table the outbox table
     * @param failedRows the first of them, oldest first
     */
    public record OutboxDetail(long pending, double oldestAgeSeconds, long failed, String table,
            List<FailedOutboxRow> failedRows) implements HoldsValues {

        static OutboxDetail of(OutboxStatus status, List<FailedOutboxRow> rows) {
            return new OutboxDetail(status.pending(), status.oldestAgeSeconds(), status.failed(), status.table(), rows);
        }

        @Override
        public OutboxDetail withValuesHidden() {
            return new OutboxDetail(pending, oldestAgeSeconds, failed, table, values(failedRows, false));
        }
    }

    /**
     * A row the outbox relay gave up on: retry it ({@code POST outbox/{id}/retry}) once what refused it is fixed, or
     * delete it.
     *
     * @param id its id
     * @param createdAt when its transaction wrote it
     * @param failedAt when the relay gave up on it
     * @param error why it could not be sent
     * @param payloadLength its payload's length, in characters
     * @param tasks the tasks whose messages start in the preview
     * @param preview the start of its payload, masked whole when one of those tasks declares sensitive values
     */
    public record FailedOutboxRow(long id, Instant createdAt, Instant failedAt, String error, long payloadLength,
            List<String> tasks, String preview) implements HoldsValues {

        /** Hides its error and preview, not its tasks' names nor its payload's length. */
        @Override
        public FailedOutboxRow withValuesHidden() {
            return new FailedOutboxRow(id, createdAt, failedAt, HIDDEN, payloadLength, tasks, HIDDEN);
        }

        static FailedOutboxRow of(OutboxOperations.FailedRow row) {
            return new FailedOutboxRow(row.id(), row.createdAt(), row.failedAt(), row.error(), row.payloadLength(),
                    row.tasks(), row.preview());
        }
    }

    /**
     * What an action on an outbox row did.
     *
     * @param id the row
     * @param action retry or delete
     * @param outbox the outbox's depth after it
     */
    public record OutboxChange(long id, String action, OutboxStatus outbox) {
    }

    /**
     * Sums over every queue and worker.
     *
     * @param queues how many queues
     * @param pausedQueues how many of them are paused
     * @param pending tasks waiting to be claimed
     * @param scheduled tasks waiting for a countdown, an eta or a retry backoff
     * @param active tasks claimed and not finished
     * @param dead dead letters
     * @param processedLastMinute tasks finished in the last minute (any outcome)
     * @param workers workers that heartbeat
     */
    public record Totals(int queues, int pausedQueues, long pending, long scheduled, long active, long dead,
            long processedLastMinute, int workers) {

        static Totals of(List<QueueDescriptor> queues, List<WorkerDescriptor> workers) {
            return new Totals(queues.size(), (int) queues.stream().filter(QueueDescriptor::paused).count(),
                    queues.stream().mapToLong(QueueDescriptor::pending).sum(),
                    queues.stream().mapToLong(QueueDescriptor::scheduled).sum(),
                    queues.stream().mapToLong(QueueDescriptor::active).sum(),
                    queues.stream().mapToLong(QueueDescriptor::dead).sum(),
                    queues.stream().mapToLong(QueueDescriptor::processedLastMinute).sum(),
                    (int) workers.stream().filter(worker -> !worker.state().equals(WorkerInfo.LOST)).count());
        }
    }

    /**
     * A queue's counts.
     *
     * @param name the queue
     * @param pending waiting to be claimed
     * @param scheduled waiting for a countdown, an eta or a retry backoff
     * @param active claimed by a worker and not finished
     * @param dead in the dead letters
     * @param oldestPendingAgeMillis how long the oldest pending task has waited, or null when none waits
     * @param processedLastMinute tasks that finished (any outcome) in the last 60 seconds
     * @param paused whether workers are told not to claim from it
     * @param consumers the live workers that consume it (none: its tasks wait until one does)
     */
    public record QueueDescriptor(String name, long pending, long scheduled, long active, long dead,
            @Nullable Long oldestPendingAgeMillis, long processedLastMinute, boolean paused, List<String> consumers) {

        static QueueDescriptor of(QueueStats stats, List<WorkerInfo> workers) {
            List<String> consumers = workers.stream().filter(w -> !w.isLost() && w.queues().contains(stats.queue()))
                    .map(WorkerInfo::id).toList();
            return new QueueDescriptor(stats.queue(), stats.pending(), stats.scheduled(), stats.active(),
                    stats.dead(), stats.oldestPendingAgeMillis(), stats.processedLastMinute(), stats.paused(),
                    consumers);
        }
    }

    /**
     * A task as stored.
     *
     * @param id its id
     * @param name its name, when known
     * @param queue its queue, when known
     * @param state its state
     * @param worker the worker that runs or ran it
     * @param submittedAt when it was submitted, when known
     * @param startedAt when its last run started
     * @param finishedAt when it finished
     * @param attempt its last run's attempt number
     * @param nextRunAt when it runs again, in RETRY
     * @param progress the fraction done it reported
     * @param progressMessage what it reported with its progress
     * @param arguments its arguments, a JSON array, once a worker took it (past about a kilobyte, shortened as
     *        {@link JsonPreview} says)
     * @param parentId in a workflow, the task (or chord) whose end submitted it
     * @param result its result, a JSON value, when it succeeded (past {@value #RESULT_PREVIEW} characters,
     *        shortened as {@link JsonPreview} says)
     * @param error its error (for RETRY, the last attempt's)
     */
    public record TaskView(String id, @Nullable String name, @Nullable String queue, TaskState state,
            @Nullable String worker, @Nullable Instant submittedAt, @Nullable Instant startedAt,
            @Nullable Instant finishedAt, int attempt, @Nullable Instant nextRunAt, @Nullable Double progress,
            @Nullable String progressMessage, @Nullable Object arguments, @Nullable String parentId,
            @Nullable Object result, @Nullable TaskError error) implements HoldsValues {

        /** Hides its arguments, result, progress message, and its error's message and stack trace (not its type). */
        @Override
        public TaskView withValuesHidden() {
            TaskError hiddenError = error == null ? null : new TaskError(error.type(), hidden(error.message()),
                    hidden(error.stackTrace()), error.retryable());
            return new TaskView(id, name, queue, state, worker, submittedAt, startedAt, finishedAt, attempt, nextRunAt,
                    progress, hidden(progressMessage), hidden(arguments), parentId, hidden(result), hiddenError);
        }

        static TaskView of(TaskInfo info) {
            return new TaskView(info.id(), info.name(), info.queue(), info.state(), info.worker(),
                    info.submittedAt(), info.startedAt(), info.finishedAt(), info.attempt(), info.nextRunAt(),
                    info.progress(), info.progressMessage(), json(info.argumentsJson()), info.parentId(),
                    json(info.resultJson()), info.error());
        }

        /**
         * Stored JSON as a value (maps, lists, strings, numbers) that the endpoint writes as JSON, not as a string
         * of JSON; shortened past {@value #RESULT_PREVIEW} characters. Text that is not JSON (arguments a former
         * version cut short) stays text.
         */
        private static @Nullable Object json(@Nullable String text) {
            if (text == null) {
                return null;
            }
            try {
                JsonNode value = JSON.readTree(text);
                return JSON.treeToValue(text.length() <= RESULT_PREVIEW ? value
                        : JsonPreview.of(value, RESULT_PREVIEW), Object.class);
            }
            catch (JacksonException ex) {
                return text;
            }
        }
    }

    /**
     * A page of dead letters.
     *
     * @param queue the queue
     * @param deadLetters newest first
     * @param next what to pass as {@code before} for the next page, or null when this is the last one
     */
    public record DeadLetterPage(String queue, List<DeadLetterView> deadLetters, @Nullable String next)
            implements HoldsValues {

        @Override
        public DeadLetterPage withValuesHidden() {
            return new DeadLetterPage(queue, values(deadLetters, false), next);
        }
    }

    /**
     * A dead letter.
     *
     * @param id its id (to requeue or delete it)
     * @param taskId the task's id
     * @param taskName the task's name, when known
     * @param queue the queue
     * @param reason why it is here
     * @param errorType the error's type
     * @param errorMessage the error's message
     * @param stackTrace the error's stack trace (not in pages)
     * @param attempt the attempt that failed
     * @param deliveries how many times its last attempt was delivered to a worker, the delivery that put it here
     *        included (more than one: workers died or hung holding it before)
     * @param failedAt when it got here
     * @param worker the worker it failed on
     * @param message the task's message (JSON), shortened in pages
     * @param messageLength the size of the whole message as stored, in bytes
     */
    public record DeadLetterView(String id, String taskId, @Nullable String taskName, String queue, String reason,
            @Nullable String errorType, @Nullable String errorMessage, @Nullable String stackTrace, int attempt,
            int deliveries, Instant failedAt, @Nullable String worker, String message, int messageLength)
            implements HoldsValues {

        /** Hides its reason, error message, stack trace and message (not its error type, nor its message's length). */
        @Override
        public DeadLetterView withValuesHidden() {
            return new DeadLetterView(id, taskId, taskName, queue, HIDDEN, errorType, hidden(errorMessage),
                    hidden(stackTrace), attempt, deliveries, failedAt, worker, HIDDEN, messageLength);
        }

        /** @param messageLimit characters of the message to keep; a shortened one also loses its stack trace */
        static DeadLetterView of(DeadLetter letter, int messageLimit) {
            String message = letter.message();
            boolean whole = message.length() <= messageLimit;
            return new DeadLetterView(letter.id(), letter.taskId(), letter.taskName(), letter.queue(),
                    letter.reason(), letter.errorType(), letter.errorMessage(),
                    messageLimit == Integer.MAX_VALUE ? letter.stackTrace() : null, letter.attempt(),
                    letter.deliveries(), letter.failedAt(), letter.worker(),
                    whole ? message : message.substring(0, messageLimit) + "...", letter.messageSize());
        }
    }

    /**
     * What an action changed.
     *
     * @param queue the queue
     * @param action what was done
     * @param tasks how many tasks (or dead letters) it touched
     */
    public record QueueChange(String queue, String action, long tasks) {
    }

    /**
     * A revocation.
     *
     * @param taskId the task
     * @param terminate whether a run in progress is interrupted
     * @param recorded whether the revocation was recorded: false when the task had already finished (succeeded,
     *        failed or was revoked) and keeps its outcome; true also for an id Redis has no record of (a task
     *        still queued without a caller-chosen id has none)
     * @param state the task's state now, when a result backend is present
     */
    public record Revocation(String taskId, boolean terminate, boolean recorded, @Nullable TaskState state) {
    }

    /**
     * A worker, in any application instance.
     *
     * @param id its id (its consumer name in Redis)
     * @param host its host
     * @param pid its process id
     * @param queues the queues it consumes
     * @param concurrency how many tasks it may run at once now (where its adaptive concurrency stands, or its fixed one)
     * @param maxConcurrency how many its concurrency may adapt up to ({@code concurrency} when fixed)
     * @param active how many it runs now
     * @param processed how many it finished since it started
     * @param failed how many of those failed
     * @param startedAt when it started
     * @param lastHeartbeat when it last reported
     * @param state RUNNING, STOPPING, or LOST (its heartbeat stopped)
     */
    public record WorkerDescriptor(String id, String host, long pid, List<String> queues, int concurrency,
            int maxConcurrency, int active, long processed, long failed, Instant startedAt, Instant lastHeartbeat,
            String state) {

        static WorkerDescriptor of(WorkerInfo info) {
            return new WorkerDescriptor(info.id(), info.host(), info.pid(), info.queues(), info.concurrency(),
                    info.maxConcurrency(), info.active(), info.processed(), info.failed(), Instant.ofEpochMilli(info.startedAt()),
                    Instant.ofEpochMilli(info.lastHeartbeat()), info.state());
        }
    }

    /**
     * A task of the catalog.
     *
     * @param name its name
     * @param queue the queue it goes to unless a call names another
     * @param priority its default priority
     * @param ignoreResult whether its result is not stored
     * @param parameters its parameters: name, JSON type, Java type, whether null is accepted
     * @param resultType the Java type of its result
     * @param policies the policies it declares (retry, timeLimit, rateLimit, concurrency, unique), as JSON
     * @param declaredHere whether this application declares it
     * @param instances the workers that publish it, with when each last did
     * @param lastSeen when a worker last published it (null: only this application knows it)
     */
    public record CatalogView(String name, String queue, int priority, boolean ignoreResult,
            List<DeclaredTask.Parameter> parameters, String resultType, JsonNode policies, boolean declaredHere,
            Map<String, Instant> instances, @Nullable Instant lastSeen) {

        static CatalogView of(TaskQueueReadModel.CatalogEntry entry) {
            DeclaredTask task = entry.task();
            boolean declaredHere = entry.declaredHere();
            return new CatalogView(task.name(), task.queue(), task.priority(), task.ignoreResult(), task.parameters(),
                    task.resultType(), OptionsJson.write(JSON, TaskOptions.defaults().policies(task.policies())),
                    declaredHere, new java.util.TreeMap<>(task.instances()), task.lastSeen());
        }
    }

    /**
     * A periodic schedule.
     *
     * @param name its name
     * @param task the task each tick submits
     * @param queue the queue the ticks go to
     * @param trigger when it fires, such as {@code cron '0 0 3 * * *' in Europe/Paris} or {@code every 5m}
     * @param enabled whether it fires (the same on every instance)
     * @param missedTicks what happens to ticks missed while no scheduler ran: SKIP or RUN_ONCE
     * @param lastRunAt the tick last submitted by any instance, if any
     * @param nextRunAt the next tick, when enabled
     * @param problem why its last tick could not be submitted on this instance (it is skipped meanwhile), or null
     */
    public record ScheduleView(String name, String task, String queue, String trigger, boolean enabled,
            Schedule.MissedTicks missedTicks, @Nullable Instant lastRunAt, @Nullable Instant nextRunAt,
            @Nullable String problem) implements HoldsValues {

        /** Hides its problem (an error message), not that it has one. */
        @Override
        public ScheduleView withValuesHidden() {
            return new ScheduleView(name, task, queue, trigger, enabled, missedTicks, lastRunAt, nextRunAt,
                    hidden(problem));
        }

        static ScheduleView of(TaskQueueReadModel.ScheduleEntry entry) {
            Scheduler.ScheduleInfo info = entry.info();
            return new ScheduleView(info.name(), info.task(), entry.queue(), info.trigger(), info.enabled(),
                    info.missed(), info.lastTick(), info.nextTick(), info.problem());
        }
    }

    /**
     * A chord that has not completed.
     *
     * @param id its id
     * @param size how many header tasks it waits for
     * @param done how many of them reported
     * @param bodyTaskId the id of the task that runs once they all did
     * @param bodyTaskName that task's name
     * @param createdAt when it was submitted
     * @param updatedAt when a header task last reported
     * @param failure what failed it, or null while it is open
     */
    public record ChordView(String id, int size, int done, String bodyTaskId, String bodyTaskName, Instant createdAt,
            Instant updatedAt, @Nullable String failure) implements HoldsValues {

        /** Hides what failed it (an error message), not that it failed. */
        @Override
        public ChordView withValuesHidden() {
            return new ChordView(id, size, done, bodyTaskId, bodyTaskName, createdAt, updatedAt, hidden(failure));
        }

        static ChordView of(ChordStatus chord) {
            return new ChordView(chord.id(), chord.size(), chord.done(), chord.bodyTaskId(), chord.bodyTaskName(),
                    Instant.ofEpochMilli(chord.createdAtMillis()), Instant.ofEpochMilli(chord.updatedAtMillis()),
                    chord.failure());
        }
    }

    /**
     * A task event from the cluster-wide stream.
     *
     * @param type what happened
     * @param taskId the task
     * @param taskName its name
     * @param queue its queue
     * @param at when
     * @param source the instance it happened on
     * @param durationMillis how long the run took, for finished runs
     * @param errorType the error's type, for failures and retries
     * @param errorMessage the error's message
     */
    public record EventView(TaskEvent.Type type, String taskId, String taskName, String queue, Instant at,
            String source, @Nullable Long durationMillis, @Nullable String errorType, @Nullable String errorMessage)
            implements HoldsValues {

        /** Hides its error message, not its error type. */
        @Override
        public EventView withValuesHidden() {
            return new EventView(type, taskId, taskName, queue, at, source, durationMillis, errorType,
                    hidden(errorMessage));
        }

        static EventView of(TaskEvent event) {
            return new EventView(event.type(), event.taskId(), event.taskName(), event.queue(), event.at(),
                    event.source(), event.duration() == null ? null : event.duration().toMillis(),
                    event.errorType(), event.errorMessage());
        }
    }
}
