package dev.taskqueue.broker;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * Where tasks wait, and how workers take them: the producer's and the worker's path (submit, claim, leases,
 * acknowledge, promote, recover, limits). The worker and the client talk to this interface only; one package
 * ({@code dev.taskqueue.redis}) talks to Redis, the one implementation: tests run on a real Redis too. What operators
 * read and do (queues, counts, dead letters, pauses, revocations) is {@link QueueAdmin}'s; workflow and schedule
 * state are {@link WorkflowStore}'s and {@link ScheduleStore}'s; records are read through {@link ResultBackend}.
 *
 * <p>The delivery contract every implementation keeps:
 * <ol>
 * <li>{@link #submit} returns only once the messages are stored.</li>
 * <li>A claimed message stays stored until {@link #acknowledge} records its outcome; claim records the
 * delivery atomically.</li>
 * <li>A message claimed by a worker that stops heartbeating, or held longer than the visibility timeout without
 * its lease being extended, is delivered again by {@link #recover}, its {@link Delivery#deliveries()} one more;
 * the worker that takes one delivered too often (a poison pill) records it as failed, to the dead letters, without
 * running it.</li>
 * <li>An acknowledgement whose lease was taken over is refused.</li>
 * <li>A queue paused or a task revoked through {@link QueueAdmin} is honoured here: nothing is claimed from a paused
 * queue, and a revoked task is delivered marked as revoked.</li>
 * </ol>
 * Methods throw {@link dev.taskqueue.BrokerUnavailableException} when the store cannot be reached.
 */
public interface Broker extends AutoCloseable {

    // ----- producers

    /** Stores messages (one round trip per queue); returns what happened to each, in order. */
    List<SubmitResult> submit(List<OutgoingMessage> messages);

    // ----- workers

    /** Makes sure the queues exist, so that a worker can wait on them. */
    void declare(Collection<String> queues);

    /**
     * Claims up to {@code max} ready messages without waiting: queues in the given order, the redelivered ones
     * first, then by priority.
     */
    List<Delivery> claim(String consumer, List<String> queues, int max);

    /**
     * Waits up to {@code timeout} for a message on any of the queues and claims at most {@code max}. Uses a
     * connection of its own; returns an empty list when nothing came.
     */
    List<Delivery> awaitAndClaim(String consumer, List<String> queues, int max, Duration timeout);

    /**
     * Whether one {@link #awaitAndClaim} over this many queues returns as soon as any of them has a message, so that
     * a worker whose last wait came back with fewer than it asked for (it drained the queues) may wait again at once,
     * without a {@link #claim} before it. By default only for one queue.
     */
    default boolean awaitsAllAtOnce(int queues) {
        return queues == 1;
    }

    /** Makes a pending {@link #awaitAndClaim} of this consumer return now (used to stop quickly). */
    void wakeUp(String consumer);

    /** Records that these tasks started (state STARTED), unless they already finished. Informational. */
    void markStarted(String consumer, List<Started> started);

    /**
     * Records outcomes and removes the messages, each atomically. Returns, per outcome, whether it was recorded:
     * false when the lease was no longer held (another worker has or had the task).
     */
    List<Boolean> acknowledge(String consumer, List<Outcome> outcomes);

    /**
     * Keeps the leases of claimed tasks, so that the visibility timeout does not take them back; returns those whose
     * lease {@code consumer} still held (the others were taken back: another worker has or had them). One round
     * trip: also how a worker that could not prove it was alive for a while checks what it may still start.
     */
    List<Delivery> extendLeases(String consumer, List<Delivery> claimed);

    /** Hands claimed messages back at once, without counting a delivery. */
    void release(String consumer, List<Delivery> deliveries);

    /**
     * Hands back every message {@code consumer} holds in these queues (a worker's last act when it stops), without
     * counting a delivery. Their late acknowledgements will be refused.
     */
    void releaseAll(String consumer, Collection<String> queues);

    /**
     * Takes a start slot of a global rate limit for a claimed task: returns 0 when it may start now; otherwise the
     * task is moved (atomically, while its lease holds) to the delayed set for the slot it reserved, and the
     * result is the epoch millisecond it will start at ({@code reservedBody} is its message, marked as holding the
     * slot). Returns -1 if the lease was lost.
     *
     * @param key the limiter's key (the task name)
     * @param intervalMicros the spacing between two starts
     */
    long takeRateSlot(Delivery delivery, String key, long intervalMicros, int priority, byte[] reservedBody);

    /**
     * Takes a permit of a concurrency limit for a claimed task: true when it may start now (it holds the permit
     * until its outcome is recorded, or the lease expires); otherwise the task, its message as claimed, is parked in
     * Redis (atomically, while its lease holds) until a permit frees up, and false is returned.
     *
     * @param key the concurrency key (task name and the key expression's value)
     * @param leaseMillis how long the permit holds without being extended
     * @param priority the priority it waits with
     */
    boolean takePermit(Delivery delivery, String key, int limit, long leaseMillis, int priority);

    /** Extends the permits of tasks still running ({@code permits}: queue to concurrency key to task id). */
    void extendPermits(Map<String, Map<String, List<String>>> permits, long leaseMillis);

    /** Calls {@code listener} when any instance revokes a task ({@link QueueAdmin#revoke}). */
    AutoCloseable onRevoked(RevocationListener listener);

    /**
     * Tells {@code listener} which of these running tasks are revoked (as long as revocations are remembered), each
     * with whether to interrupt it: a worker's check for announcements it missed while its notification connection
     * was down or being replaced.
     * <p>A broker that keeps no revocations finds none (the default, for brokers written before this method).
     *
     * @param running queue to the ids of tasks running from it
     */
    default void findRevoked(Map<String, List<String>> running, RevocationListener listener) {
    }

    /** Told of revocations, to stop the tasks it runs. */
    @FunctionalInterface
    interface RevocationListener {

        /**
         * A task was revoked.
         *
         * @param queue the task's queue; null when the revocation named no queue and no queue had the task (then
         *        any task running with this id is meant)
         * @param interrupt whether to interrupt it if it runs
         */
        void revoked(@Nullable String queue, String taskId, boolean interrupt);
    }

    /** Records a running task's progress (ignored once it finished). Informational: not awaited. */
    void progress(String queue, String taskId, double fraction, @Nullable String message, long recordTtlMillis);

    /** Moves up to {@code max} due delayed messages of {@code queue} to ready. */
    Promotion promoteDue(String queue, int max);

    /**
     * Calls {@code listener} with a queue's name when a delayed message that is due before all others was added
     * to it, so that a waiting promoter can wake early. Returns a handle that stops the calls.
     */
    AutoCloseable onEarlierDue(Consumer<String> listener);

    // ----- liveness

    /**
     * Publishes a worker's info and proves it is alive for {@code ttl}.
     *
     * @param outageAfter a silence of every worker longer than this is an outage (nobody could heartbeat): the
     *        time it lasted does not count against any worker's liveness
     * @return the broker's clock, epoch milliseconds
     */
    long heartbeat(WorkerInfo info, Duration ttl, Duration outageAfter);

    /**
     * A task a worker runs now, as its heartbeat publishes it for operators.
     *
     * @param taskId the task id
     * @param taskName the task name, or null before the worker read its message
     * @param queue the queue
     * @param startedAt when the worker started it, epoch milliseconds
     */
    record RunningTask(String taskId, @Nullable String taskName, String queue, long startedAt) {
    }

    /** At most this many running tasks are published per worker (a dashboard shows no more). */
    int MAX_PUBLISHED_RUNNING = 100;

    /**
     * {@link #heartbeat(WorkerInfo, Duration, Duration)}, publishing also what the worker runs now (at most
     * {@link #MAX_PUBLISHED_RUNNING}); by default, only the heartbeat.
     */
    default long heartbeat(WorkerInfo info, List<RunningTask> running, Duration ttl, Duration outageAfter) {
        return heartbeat(info, ttl, outageAfter);
    }

    /**
     * Adds a worker's counts to the cluster's history ({@link TaskHistory}), in one round trip; by default the store
     * keeps no history.
     */
    default void recordHistory(HistoryBatch batch) {
    }

    /** Removes a worker that stopped cleanly. */
    void deregister(String workerId);

    /** Delivers again what dead workers and expired leases hold (see the contract above). */
    Recovery recover(RecoveryPolicy policy);

    /** Whether the store answers. */
    boolean ping();

    @Override
    void close();

    /**
     * A task that started.
     *
     * @param queue its queue
     * @param taskId its id
     * @param taskName its name
     * @param attempt its attempt number, from 1
     * @param recordTtlMillis how long its record lives
     * @param submittedAtMillis when it was submitted (its message's creation time), or 0 when unknown
     */
    record Started(String queue, String taskId, String taskName, int attempt, long recordTtlMillis,
            long submittedAtMillis) {
    }

    /**
     * What {@link #promoteDue} did.
     *
     * @param promoted how many messages became ready
     * @param untilNextDue how long until the next delayed message is due, or null when none waits
     * @param quarantined the due messages that could not be read, moved as they were to the queue's dead letters
     */
    record Promotion(int promoted, Duration untilNextDue, List<Quarantined> quarantined) {

        public Promotion(int promoted, Duration untilNextDue) {
            this(promoted, untilNextDue, List.of());
        }
    }

    /**
     * Something the broker found malformed where it keeps a task (written there by someone else) and moved, alone and
     * as it was, to its queue's dead letters.
     *
     * @param taskId the task id it was stored under
     * @param reason what is wrong with it, and where it was
     */
    record Quarantined(String taskId, String reason) {
    }

    /**
     * How {@link #recover} decides what to take back.
     *
     * @param livenessTimeout a worker that has not heartbeated for this long is dead
     * @param visibilityTimeout a lease not extended for this long is taken back even from a live worker
     * @param recoveringWorker the worker whose janitor recovers, never found dead by its own janitor (it runs, so
     *        it lives: after a long pause of its process, the janitor may wake before the heartbeat), or null
     */
    record RecoveryPolicy(Duration livenessTimeout, Duration visibilityTimeout, @Nullable String recoveringWorker) {

        public RecoveryPolicy(Duration livenessTimeout, Duration visibilityTimeout) {
            this(livenessTimeout, visibilityTimeout, null);
        }
    }

    /**
     * What {@link #recover} did.
     *
     * @param deadWorkers the workers found dead (and removed)
     * @param redelivered messages put back to be delivered again
     */
    record Recovery(List<String> deadWorkers, int redelivered) {
    }
}
