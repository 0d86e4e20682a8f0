package dev.taskqueue.actuate.metrics;

/**
 * The names and tags of taskqueue's meters, in one place. Tags have low cardinality: task names come from the
 * application's code ({@value #OTHER_TASK} for any other), queues from configuration (workers consume a fixed set
 * of queues; a queue named per call would make series without bound), states and outcomes from short fixed lists.
 *
 * <p>Prometheus names: dots become underscores, counters get {@code _total}, timers {@code _seconds_*}, and the
 * age and time gauges {@code _seconds}: {@code taskqueue_tasks_submitted_total},
 * {@code taskqueue_execute_seconds_count}, {@code taskqueue_queue_depth{queue="images",state="pending"}},
 * {@code taskqueue_queue_oldest_age_seconds}, {@code taskqueue_schedule_due_tick_timestamp_seconds}. The alert
 * rules and the Grafana dashboard under {@code alerting/} use these names; a test of the sample application checks
 * that each of them is in a real scrape.
 */
public final class TaskQueueMeters {

    /** Counter: tasks this instance stored in the broker. Tags {@link #TASK}, {@link #QUEUE}. */
    public static final String SUBMITTED = "taskqueue.tasks.submitted";

    /** Counter: task runs this instance's worker started. Tags {@link #TASK}, {@link #QUEUE}. */
    public static final String STARTED = "taskqueue.tasks.started";

    /** Counter: task runs whose handler returned. Tags {@link #TASK}, {@link #QUEUE}. */
    public static final String SUCCEEDED = "taskqueue.tasks.succeeded";

    /**
     * Counter: tasks that failed for good: the handler threw and no retry is left, or the task could not be run
     * (unknown name, arguments that do not convert, a message that cannot be read). Tags {@link #TASK},
     * {@link #QUEUE}.
     */
    public static final String FAILED = "taskqueue.tasks.failed";

    /** Counter: task runs that failed and were scheduled to run again. Tags {@link #TASK}, {@link #QUEUE}. */
    public static final String RETRIED = "taskqueue.tasks.retried";

    /**
     * Counter: tasks this instance's worker sent to the dead letters as their final outcome (a failure, a message
     * it could not read, or a task delivered too often without an outcome: a poison pill). Tags {@link #TASK},
     * {@link #QUEUE}.
     */
    public static final String DEAD = "taskqueue.tasks.dead";

    /**
     * Counter: what this instance's worker found malformed in Redis (a message that is not valid JSON, a stream entry
     * with a field missing or unreadable, a delayed task without a readable payload, all written there by someone
     * else) and moved, alone and as it was, to the queue's dead letters. Each is also counted in {@link #FAILED} and
     * {@link #DEAD}. Tags {@link #TASK} (always {@value #OTHER_TASK}: it could not be read), {@link #QUEUE}.
     */
    public static final String QUARANTINED = "taskqueue.tasks.quarantined";

    /**
     * Counter: tasks this instance's worker dropped or stopped because they were revoked or had expired. Tags
     * {@link #TASK}, {@link #QUEUE}.
     */
    public static final String REVOKED = "taskqueue.tasks.revoked";

    /**
     * Counter: outcomes refused because the worker had lost the task's lease (it runs or ran elsewhere). Tags
     * {@link #TASK}, {@link #QUEUE}.
     */
    public static final String REFUSED = "taskqueue.tasks.refused";

    /**
     * Timer: how long task runs took (runs that did not start are not timed), made by Boot from the run's
     * observation ({@code dev.taskqueue.observation.TaskQueueObservation#EXECUTE}), like Spring's message listeners:
     * turning taskqueue's observations off ({@code management.observations.enable.taskqueue=false}) turns it off with
     * the spans. Tags {@code taskqueue.task}, {@code taskqueue.queue}, {@code taskqueue.outcome} ({@code success},
     * {@code failure}, {@code retry} or {@code revoked}) and Boot's {@code error} (the exception's simple class name,
     * or {@code none}). Boot adds the long task timer {@code taskqueue.execute.active} of the runs in progress.
     * Publish bounded buckets with {@code management.metrics.distribution.slo.taskqueue.execute=...}.
     */
    public static final String EXECUTION = "taskqueue.execute";

    /**
     * Timer: how long tasks waited from submission (or their due time) to their start. Tags {@link #TASK},
     * {@link #QUEUE}.
     */
    public static final String QUEUE_WAIT = "taskqueue.task.queue.wait";

    /** Gauge: tasks in a queue, by state. Tags {@link #QUEUE}, {@link #STATE}. */
    public static final String QUEUE_DEPTH = "taskqueue.queue.depth";

    /** Gauge: how long the oldest pending task of a queue has waited, in seconds (0 when none waits). Tag {@link #QUEUE}. */
    public static final String QUEUE_OLDEST_AGE = "taskqueue.queue.oldest.age";

    /**
     * Gauge: workers that heartbeat and consume the queue, in every instance (0: its tasks wait for nobody). Tag
     * {@link #QUEUE}.
     */
    public static final String QUEUE_CONSUMERS = "taskqueue.queue.consumers";

    /** Gauge: 1 while the queue is paused (workers do not claim from it), else 0. Tag {@link #QUEUE}. */
    public static final String QUEUE_PAUSED = "taskqueue.queue.paused";

    /** Gauge: tasks this instance's worker runs now. */
    public static final String WORKER_ACTIVE_TASKS = "taskqueue.worker.active.tasks";

    /** Gauge: workers that heartbeat, in every instance (those lost without stopping are not counted). */
    public static final String WORKERS = "taskqueue.workers";

    /**
     * Gauge: chords that have not completed, in every instance, by {@link #STATE}: {@value #CHORD_OPEN} (header
     * tasks still reporting), {@value #CHORD_STALLED} (open, but no header task reported for
     * {@code taskqueue.metrics.chord-stalled-after}) or {@value #CHORD_FAILED} (a header task failed, so its
     * callback will not run). Counted over the {@value TaskQueueMetrics#CHORDS_COUNTED} oldest.
     */
    public static final String CHORDS = "taskqueue.chords";

    /**
     * Gauge: how long ago the oldest chord not completed (open or stalled, not failed) was made, in seconds (0 when
     * none is). Counted over the {@value TaskQueueMetrics#CHORDS_COUNTED} oldest.
     */
    public static final String CHORDS_OLDEST_AGE = "taskqueue.chords.oldest.age";

    /**
     * Gauge: when the schedule's last tick was submitted by any instance, in seconds since the epoch (NaN before
     * its first). Tag {@link #SCHEDULE}.
     */
    public static final String SCHEDULE_LAST_TICK = "taskqueue.schedule.last.tick.timestamp";

    /**
     * Gauge: when the schedule's next tick is due, in seconds since the epoch, counted from the last tick submitted
     * or skipped (NaN while it is disabled). Ahead of the clock while ticks are submitted; left behind it when no
     * instance submits them (schedulers stopped, Redis unreachable, a tick that cannot be submitted): alert on
     * {@code time() - taskqueue_schedule_due_tick_timestamp_seconds}. Tag {@link #SCHEDULE}.
     */
    public static final String SCHEDULE_DUE_TICK = "taskqueue.schedule.due.tick.timestamp";

    /** Tag: the task name ({@value #OTHER_TASK} for a task this application does not declare). */
    public static final String TASK = "task";

    /** Tag: the queue. */
    public static final String QUEUE = "queue";

    /** Tag: the schedule's name (schedules come from the application's code and configuration). */
    public static final String SCHEDULE = "schedule";

    /**
     * Tag of {@link #QUEUE_DEPTH}: {@value #PENDING}, {@value #SCHEDULED}, {@value #ACTIVE} or
     * {@value #DEAD_LETTERS}; of {@link #CHORDS}: {@value #CHORD_OPEN}, {@value #CHORD_STALLED} or
     * {@value #CHORD_FAILED}.
     */
    public static final String STATE = "state";

    /** State: waiting to be claimed. */
    public static final String PENDING = "pending";

    /** State: waiting for a countdown, an eta or a retry backoff. */
    public static final String SCHEDULED = "scheduled";

    /** State: claimed by a worker and not finished. */
    public static final String ACTIVE = "active";

    /** State: in the dead letters. */
    public static final String DEAD_LETTERS = "dead";

    /** Chord state: waiting for header tasks that still report. */
    public static final String CHORD_OPEN = "open";

    /** Chord state: waiting, but no header task has reported for a while: look at its header tasks. */
    public static final String CHORD_STALLED = "stalled";

    /** Chord state: a header task failed; the callback will not run (it is recorded as failed). */
    public static final String CHORD_FAILED = "failed";

    /** The task tag of tasks this application does not declare, so that names from outside stay bounded. */
    public static final String OTHER_TASK = "other";

    private TaskQueueMeters() {
    }
}
