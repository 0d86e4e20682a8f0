package dev.taskqueue.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.redis.RedisQueueAdmin;
import dev.taskqueue.schedule.ManualClock;
import org.opentest4j.AssertionFailedError;

/**
 * Tests an application's tasks on a real Redis, with what Sidekiq's testing API and Celery's test utilities offer:
 * <ol>
 * <li>what was submitted and has not finished, with its task, queue and arguments: {@link #submitted()};</li>
 * <li>run everything that waits now, delayed tasks and retries included, until nothing is left:
 * {@link #runPending()} (Sidekiq's {@code drain_all});</li>
 * <li>wait until the worker has nothing left to do: {@link #awaitIdle(Duration)};</li>
 * <li>check outcomes: {@link #assertSucceeded}, {@link #assertFailed}, {@link #ran()};</li>
 * <li>move the time that schedules read, so that periodic tasks tick when the test says: {@link #advance}.</li>
 * </ol>
 * Get one as a parameter of a test method with {@link TaskQueueExtension}, as a bean of a Spring Boot test annotated
 * {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue}, or from {@link #create()} (then close it).
 *
 * <p>Every wait is bounded: {@link #runPending()} and {@link #awaitIdle} fail at their deadline with the list of what
 * is left. Schedules read a clock that stands still until the test moves it: they never tick in the middle of a
 * test by themselves.
 */
public final class TaskQueueTester implements AutoCloseable {

    /** How long {@link #runPending()} waits for the last task at most. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    /** The most tasks read from one queue. */
    private static final int MAX_TASKS_READ = 10_000;

    /** The most ticks one move of time may submit. */
    private static final int MAX_TICKS = 100_000;

    /** The most tasks a message lists. */
    private static final int MAX_LISTED = 20;

    private static final long POLL_MILLIS = 10;

    /** How long a read waits for the outbox's relay to move what the test's transactions committed. */
    private static final Duration OUTBOX_WAIT = Duration.ofSeconds(10);

    private final Engine engine;
    private final ManualClock clock;
    private final Executions executions;

    TaskQueueTester(Engine engine, ManualClock clock, Executions executions) {
        this.engine = engine;
        this.clock = clock;
        this.executions = executions;
    }

    /**
     * A tester of its own, on keys of its own of the {@link TestRedis}, for a test without Spring: register its task
     * beans, submit through {@link #client()}, and close it at the end (it deletes its keys). Its worker runs when
     * {@link #runPending()} runs it, or from {@link #startWorker()} on.
     */
    public static TaskQueueTester create() {
        ManualClock clock = new ManualClock(Instant.ofEpochMilli(System.currentTimeMillis()));
        Executions executions = new Executions();
        return new TaskQueueTester(new StandaloneEngine(TestRedis.newKeyPrefix(), clock, executions), clock,
                executions);
    }

    /**
     * Adds beans whose {@code @Task} methods this tester's client submits and its worker runs (a test without
     * Spring; in a Spring Boot test they are the application's beans).
     *
     * @throws IllegalStateException in a Spring Boot test, or while the worker runs
     */
    public TaskQueueTester register(Object... taskBeans) {
        engine.register(taskBeans);
        return this;
    }

    /** The client to submit with: the application's in a Spring Boot test. */
    public TaskClient client() {
        return engine.client();
    }

    /** The key prefix of this tester's tasks in Redis (each test or application context has its own). */
    public String keyPrefix() {
        return engine.stores().keyPrefix();
    }

    // ------------------------------------------------------------------------------------------ what waits

    /**
     * Every task submitted and not finished, read from Redis without taking it: ready, claimed by a worker, or
     * delayed (countdown, eta, retry backoff). Queues in name order; in a queue, in claim order, then delayed ones by
     * due time. While the worker runs, a task may finish as it is read: look with the worker stopped (the MANUAL
     * mode) for an exact picture. Tasks submitted through the application's outbox in a transaction that committed
     * are waited for (the relay moves them to Redis within milliseconds), so they are listed too.
     */
    public List<SubmittedTask> submitted() {
        List<SubmittedTask> tasks = new ArrayList<>();
        for (WaitingTask waiting : waiting()) {
            tasks.add(decode(waiting));
        }
        return tasks;
    }

    /** What {@link #submitted()} lists of the task {@code taskName}. */
    public List<SubmittedTask> submitted(String taskName) {
        return submitted().stream().filter(task -> task.task().equals(taskName)).toList();
    }

    private List<WaitingTask> waiting() {
        if (!engine.awaitOutbox(OUTBOX_WAIT)) {
            throw new AssertionFailedError("Tasks committed through the outbox (taskqueue.submit.transactions=outbox) "
                    + "were not in Redis within " + OUTBOX_WAIT.toSeconds() + " s: see the log of the outbox relay ("
                    + "taskqueue-outbox-relay) and the health component taskqueueOutbox for why.");
        }
        RedisQueueAdmin admin = engine.stores().admin();
        List<WaitingTask> waiting = new ArrayList<>();
        for (String queue : new TreeSet<>(admin.queues())) {
            waiting.addAll(admin.waiting(queue, MAX_TASKS_READ));
        }
        return waiting;
    }

    private SubmittedTask decode(WaitingTask waiting) {
        MessageCodec codec = engine.codec();
        try {
            MessageCodec.Decoded decoded = codec.decode(waiting.taskId(), waiting.body());
            TaskMessage message = decoded.message();
            return new SubmittedTask(message.id(), message.task(), waiting.queue(), waiting.state(), message.priority(),
                    waiting.dueAt(), message.attempt(), message.headers(), decoded.args(), codec.mapper());
        }
        catch (MessageCodec.CorruptMessageException ex) {
            return new SubmittedTask(waiting.taskId(), "(unreadable: " + ex.getMessage() + ")", waiting.queue(),
                    waiting.state(), 0, waiting.dueAt(), 0, Map.of(), codec.mapper().createArrayNode(),
                    codec.mapper());
        }
    }

    // ------------------------------------------------------------------------------------------ running

    /** {@link #runPending(Duration)} within {@link #DEFAULT_DEADLINE}. */
    public List<Execution> runPending() {
        return runPending(DEFAULT_DEADLINE);
    }

    /**
     * Runs every task that waits, now: delayed ones (countdown, eta, retry backoff) are made due at once, and what
     * tasks submit as they run (workflow steps, retries) runs too, until nothing is left. Starts the worker for the
     * time it takes when it is not running (then stops it again). Returns every run that finished meanwhile, in
     * order: a task retried twice then successful is there three times.
     *
     * @throws AssertionFailedError if tasks are left at the deadline, listing them
     */
    public List<Execution> runPending(Duration deadline) {
        int mark = executions.mark();
        boolean startedHere = !engine.workerRunning();
        if (startedHere) {
            engine.startWorker();
        }
        try {
            long end = System.nanoTime() + deadline.toNanos();
            while (true) {
                RedisQueueAdmin admin = engine.stores().admin();
                admin.queues().forEach(admin::promoteAll);
                List<WaitingTask> left = waiting();
                if (left.isEmpty()) {
                    break;
                }
                if (System.nanoTime() - end > 0) {
                    throw notIdle("runPending", deadline, left);
                }
                pause();
            }
        }
        finally {
            if (startedHere) {
                engine.stopWorker();
            }
        }
        return executions.since(mark);
    }

    /**
     * Waits until the running worker has nothing left to do: no task ready or claimed, and none delayed that falls
     * due before the deadline (a retry a second away is waited for; a task due tomorrow is not).
     *
     * @throws AssertionFailedError if tasks are left at the deadline, listing them
     * @throws IllegalStateException if tasks wait and no worker runs (MANUAL mode: call {@link #runPending()})
     */
    public void awaitIdle(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        Instant horizon = Instant.now().plus(deadline);
        while (true) {
            List<WaitingTask> left = waiting().stream().filter(task -> task.state() != WaitingTask.State.DELAYED
                    || task.dueAt() == null || !task.dueAt().isAfter(horizon)).toList();
            if (left.isEmpty()) {
                return;
            }
            if (!engine.workerRunning()) {
                throw new IllegalStateException("awaitIdle waits for the worker, and none runs, so "
                        + describe(left) + "\nwould wait forever. Call runPending() (it runs the worker until nothing "
                        + "is left), or startWorker() first.");
            }
            if (System.nanoTime() - end > 0) {
                throw notIdle("awaitIdle", deadline, left);
            }
            pause();
        }
    }

    /** Every run the worker finished since this tester started (or was reset), in order. */
    public List<Execution> ran() {
        return executions.since(0);
    }

    /** Starts the worker, which then runs tasks as they come until {@link #stopWorker()} (or the test's end). */
    public void startWorker() {
        engine.startWorker();
    }

    /** Stops the worker: tasks wait until {@link #runPending()} or {@link #startWorker()}. */
    public void stopWorker() {
        engine.stopWorker();
    }

    private AssertionFailedError notIdle(String what, Duration deadline, List<WaitingTask> left) {
        StringBuilder message = new StringBuilder(what).append(": after ").append(deadline.toMillis()).append(" ms, ")
                .append(describe(left));
        Set<String> unconsumed = new TreeSet<>();
        left.stream().filter(task -> task.state() == WaitingTask.State.READY).map(WaitingTask::queue)
                .filter(queue -> !engine.consumedQueues().contains(queue)).forEach(unconsumed::add);
        if (!unconsumed.isEmpty()) {
            message.append("\nNo worker of this test consumes ").append(unconsumed).append(" (it consumes ")
                    .append(engine.consumedQueues()).append("): is a queue name wrong, or a task bean missing?");
        }
        return new AssertionFailedError(message.toString());
    }

    private String describe(List<WaitingTask> left) {
        StringBuilder text = new StringBuilder().append(left.size()).append(" task(s) have not finished:");
        left.stream().limit(MAX_LISTED).forEach(task -> text.append("\n  ").append(decode(task)));
        if (left.size() > MAX_LISTED) {
            text.append("\n  and ").append(left.size() - MAX_LISTED).append(" more");
        }
        return text.toString();
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for tasks", ex);
        }
    }

    // ------------------------------------------------------------------------------------------ outcomes

    /**
     * Checks that the task succeeded, and returns what is stored about it (its result as JSON, its worker and times).
     *
     * @throws AssertionFailedError naming its state, and its error if it failed
     */
    public TaskInfo assertSucceeded(TaskHandle<?> handle) {
        return assertState(handle, TaskState.SUCCESS);
    }

    /**
     * Checks that the task failed (no retry left, or not retryable), and returns its error.
     *
     * @throws AssertionFailedError naming its state
     */
    public TaskError assertFailed(TaskHandle<?> handle) {
        TaskInfo info = assertState(handle, TaskState.FAILURE);
        if (info.error() == null) {
            throw new AssertionFailedError(name(info) + " failed without a stored error");
        }
        return info.error();
    }

    /**
     * Checks the task's state, and returns what is stored about it. It does not wait: run the task first
     * ({@link #runPending()}, {@link #awaitIdle}).
     *
     * @throws AssertionFailedError naming the state found, with the task's error if it has one
     */
    public TaskInfo assertState(TaskHandle<?> handle, TaskState expected) {
        TaskInfo info = handle.info();
        if (info.state() != expected) {
            StringBuilder message = new StringBuilder(name(info)).append(" is ").append(info.state())
                    .append(", expected ").append(expected);
            if (info.error() != null) {
                message.append(": ").append(info.error().summary());
            }
            if (!info.state().isFinished()) {
                message.append(". It has not finished: run it first (runPending(), or awaitIdle(...) while the worker "
                        + "runs)");
            }
            throw new AssertionFailedError(message.toString(), expected, info.state());
        }
        return info;
    }

    private static String name(TaskInfo info) {
        return "Task " + (info.name() != null ? info.name() + " " : "") + "[" + info.id() + "]";
    }

    // ------------------------------------------------------------------------------------------ time

    /** The clock schedules read in this test: it stands still until {@link #advance} moves it. */
    public Clock clock() {
        return clock;
    }

    /** The time schedules see now. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Moves the schedules' time forward by {@code duration}. Every tick of every enabled schedule in between is
     * submitted, in order, each at its own time (none is missed, however far time moves), before this returns: with
     * the worker stopped they are in {@link #submitted()}, with it running they run.
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("Time only moves forward in tests, and " + duration + " is negative");
        }
        advanceTo(now().plus(duration));
    }

    /**
     * Moves the schedules' time forward to {@code instant}, submitting the ticks in between as {@link #advance} does.
     */
    public void advanceTo(Instant instant) {
        Instant next = engine.submitDueTicks(); // a schedule's first round starts it, at the current time
        for (int ticks = 0; next != null && !next.isAfter(instant); ticks++) {
            if (ticks == MAX_TICKS) {
                throw new IllegalArgumentException("Moving time to " + instant + " would submit more than " + MAX_TICKS
                        + " ticks: move it in smaller steps, or disable the schedules this test does not need");
            }
            clock.set(next);
            next = engine.submitDueTicks();
        }
        clock.set(instant);
        engine.submitDueTicks();
    }

    // ------------------------------------------------------------------------------------------ life

    /**
     * Forgets every task, for the next test: waiting and delayed ones, dead letters, results, uniqueness keys, pauses
     * and the runs heard; with a worker run by the tester, stops it. A task the worker runs finishes. Time does not go
     * back. {@link AutoConfigureTaskQueue @AutoConfigureTaskQueue} does this after each test method.
     */
    public void reset() {
        if (engine.manualWorker()) {
            engine.stopWorker();
        }
        engine.stores().forgetTasks();
        executions.clear();
    }

    /**
     * Stops the worker and deletes this tester's keys: for a tester of {@link #create()} (a Spring Boot test's is the
     * application context's, which does so when it closes).
     */
    @Override
    public void close() {
        engine.close();
    }
}
