package dev.taskqueue.broker;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads a queue's tasks page by page, for operators: what waits, what runs, what failed, and each task's attempts.
 */
public interface QueueBrowser {

    enum Listing { PENDING, SCHEDULED, RUNNING, RETRYING, RESULTS }

    record Page(List<BrowsedTask> tasks, @Nullable String next) {}

    /** One page of a queue's tasks in one listing; cost proportional to the page, never to the queue. */
    Page tasks(String queue, Listing listing, @Nullable String cursor, int count);

    /** A task by id wherever it is (waiting, delayed, running, or its record), or null. queue null = all queues
        (AmbiguousTaskIdException when several). */
    @Nullable BrowsedTask find(@Nullable String queue, String taskId);

    /** The attempts of a task, oldest first (bounded: the last 16). */
    List<Attempt> attempts(String queue, String taskId);

    /** Failures (failed attempts, retries, dead letters) across queues, newest first, matching the filter. */
    Page failures(FailureFilter filter, @Nullable String cursor, int count);

    /** What each live worker runs now: worker id -> its running tasks. */
    Map<String, List<BrowsedTask>> running();

    /** Makes a delayed (scheduled or retrying) task due now; false when it is not delayed. */
    boolean runNow(String queue, String taskId);
}
