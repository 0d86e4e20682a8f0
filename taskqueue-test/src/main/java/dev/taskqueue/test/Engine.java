package dev.taskqueue.test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.redis.RedisStores;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link TaskQueueTester} works on: a client, the Redis stores, a worker it can start and stop, and the
 * schedules. {@link StandaloneEngine} builds them for a plain test; {@link ApplicationEngine} takes them from a
 * Spring application.
 */
interface Engine extends AutoCloseable {

    RedisStores stores();

    MessageCodec codec();

    TaskClient client();

    /** Adds task beans (a plain test's); an application's come from its context. */
    void register(Object... taskBeans);

    boolean workerRunning();

    void startWorker();

    void stopWorker();

    /** The queues the worker consumes (or would), for messages. */
    List<String> consumedQueues();

    /** Submits the ticks due by the schedules' clock; returns the next tick, or null when none is to come. */
    @Nullable Instant submitDueTicks();

    /**
     * Waits, at most {@code timeout}, until the tasks of transactions that committed through the application's outbox
     * are in Redis; whether they are (true when there is no outbox).
     */
    default boolean awaitOutbox(Duration timeout) {
        return true;
    }

    /** Whether the worker runs only when the tester runs it (as opposed to with the application). */
    boolean manualWorker();

    @Override
    void close();
}
