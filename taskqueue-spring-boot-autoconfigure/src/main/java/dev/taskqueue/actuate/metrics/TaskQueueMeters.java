package dev.taskqueue.actuate.metrics;

/**
 * The names and tags of taskqueue's meters, in one place. Tags have low cardinality: task names come from the
 * application's code, queues from its configuration.
 */
public final class TaskQueueMeters {

    /** Counter: tasks this instance stored in the broker. Tags {@link #TASK}, {@link #QUEUE}. */
    public static final String SUBMITTED = "taskqueue.tasks.submitted";

    /** Counter: task runs this instance's worker finished. Tags {@link #TASK}, {@link #QUEUE}, {@link #OUTCOME}. */
    public static final String COMPLETED = "taskqueue.tasks.completed";

    /** Timer: how long task handlers ran. Tags {@link #TASK}, {@link #QUEUE}, {@link #OUTCOME}. */
    public static final String DURATION = "taskqueue.tasks.duration";

    /**
     * Counter: outcomes refused because the worker had lost the task's lease (it runs or ran elsewhere). Tags
     * {@link #TASK}, {@link #QUEUE}.
     */
    public static final String REFUSED = "taskqueue.tasks.refused";

    /** Gauge: tasks waiting to be claimed. Tag {@link #QUEUE}. */
    public static final String QUEUE_PENDING = "taskqueue.queue.pending";

    /** Gauge: tasks waiting for a countdown, an eta or a retry backoff. Tag {@link #QUEUE}. */
    public static final String QUEUE_SCHEDULED = "taskqueue.queue.scheduled";

    /** Gauge: tasks claimed by a worker and not finished. Tag {@link #QUEUE}. */
    public static final String QUEUE_ACTIVE = "taskqueue.queue.active";

    /** Gauge: tasks in the dead letters. Tag {@link #QUEUE}. */
    public static final String QUEUE_DEAD = "taskqueue.queue.dead";

    /** Gauge: how long the oldest pending task has waited, in seconds (0 when none waits). Tag {@link #QUEUE}. */
    public static final String QUEUE_OLDEST_AGE = "taskqueue.queue.oldest.age";

    /** Tag: the task name ({@value #UNKNOWN_TASK} for a task this application does not declare). */
    public static final String TASK = "task";

    /** Tag: the queue. */
    public static final String QUEUE = "queue";

    /** Tag: how a run ended: {@code success}, {@code failure} or {@code quarantined}. */
    public static final String OUTCOME = "outcome";

    /** The task tag of runs of tasks this application does not declare, so that names from outside stay bounded. */
    public static final String UNKNOWN_TASK = "unknown";

    private TaskQueueMeters() {
    }
}
