package dev.taskqueue.broker;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a dashboard reads of the tasks themselves, page by page: a queue's tasks in one listing, a task wherever it
 * is, its attempts, the failures across queues, what each worker runs now; and the one write a browser needs beside
 * {@link QueueAdmin}'s: making a delayed task due now. Every read costs in proportion to what it returns, never to
 * the size of a queue: a queue of a million tasks pages as fast as one of ten.
 *
 * <p>A cursor is opaque: pass back the {@link Page#next()} of the previous page, or null for the first page.
 * Methods throw {@link dev.taskqueue.BrokerUnavailableException} when the store cannot be reached.
 */
public interface QueueBrowser {

    /** The listings of a queue, as the dashboard's tabs show them. */
    enum Listing {
        /** Waiting in the queue for a worker, in claim order (highest priority first, oldest first). */
        PENDING,
        /**
         * Delayed by a countdown or an eta (not a retry), soonest due first; also tasks that wait a moment for a
         * rate limit's slot or a concurrency permit.
         */
        SCHEDULED,
        /** Claimed by a worker and not acknowledged yet, in claim order. */
        RUNNING,
        /** Delayed until their next attempt after a failure, soonest due first. */
        RETRYING,
        /**
         * Finished lately (succeeded, failed or revoked), newest first: the tasks whose record is kept (not those
         * that ignore their result), the last 10,000 or so per queue.
         */
        RESULTS
    }

    /**
     * One page of tasks.
     *
     * @param tasks the tasks of the page, in the listing's order
     * @param next the cursor of the next page, or null when this is the last
     */
    record Page(List<BrowsedTask> tasks, @Nullable String next) {

        public Page {
            tasks = List.copyOf(tasks);
        }
    }

    /** One page of a queue's tasks in one listing; cost proportional to the page, never to the queue. */
    Page tasks(String queue, Listing listing, @Nullable String cursor, int count);

    /**
     * A task by id wherever it is (waiting, delayed, running, or its record), or null.
     *
     * @param queue the queue, or null to look in every queue
     * @throws dev.taskqueue.AmbiguousTaskIdException without a queue, when several queues have a task with this id
     */
    @Nullable BrowsedTask find(@Nullable String queue, String taskId);

    /** The attempts of a task, oldest first (bounded: the last 16). */
    List<Attempt> attempts(String queue, String taskId);

    /** Failures (failed attempts, retries, dead letters) across queues, newest first, matching the filter. */
    Page failures(FailureFilter filter, @Nullable String cursor, int count);

    /** What each live worker runs now: worker id to its running tasks. */
    Map<String, List<BrowsedTask>> running();

    /** Makes a delayed (scheduled or retrying) task due now; false when it is not delayed. */
    boolean runNow(String queue, String taskId);
}
