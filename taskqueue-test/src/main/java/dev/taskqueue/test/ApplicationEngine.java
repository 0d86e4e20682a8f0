package dev.taskqueue.test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.autoconfigure.transaction.OutboxSubmitTransactions;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.spring.TaskQueueScheduler;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The engine of a Spring Boot test: the application's own client, stores and worker, read from its context when
 * first needed (after the context is refreshed). The worker is the application's {@link TaskQueueWorkerLifecycle},
 * started and stopped as the test asks; ticks come from its {@link TaskQueueScheduler}.
 */
final class ApplicationEngine implements Engine {

    private final ListableBeanFactory beans;
    private final boolean manualWorker;

    ApplicationEngine(ListableBeanFactory beans, boolean manualWorker) {
        this.beans = beans;
        this.manualWorker = manualWorker;
    }

    @Override
    public RedisStores stores() {
        RedisStores stores = beans.getBeanProvider(RedisStores.class).getIfAvailable();
        Broker broker = beans.getBeanProvider(Broker.class).getIfAvailable();
        if (stores == null || broker == null) {
            throw new IllegalStateException("@AutoConfigureTaskQueue tests tasks on Redis, and this application has "
                    + "no taskqueue broker: taskqueue.broker=inline runs each task in the thread that submits it, "
                    + "with nothing to see or run. Remove that property from this test, or test without "
                    + "@AutoConfigureTaskQueue.");
        }
        if (broker != stores.broker()) {
            throw new IllegalStateException("@AutoConfigureTaskQueue tests tasks on the Redis broker, and this "
                    + "application's Broker bean is a " + broker.getClass().getName() + ": leave the broker to the "
                    + "auto-configuration in this test.");
        }
        return stores;
    }

    @Override
    public MessageCodec codec() {
        return beans.getBean(MessageCodec.class);
    }

    @Override
    public TaskClient client() {
        return beans.getBean(TaskClient.class);
    }

    @Override
    public void register(Object... taskBeans) {
        throw new IllegalStateException("In a Spring Boot test, the tasks are the application's @Task beans: declare "
                + "the bean in the application, or in a @TestConfiguration of the test.");
    }

    private @Nullable TaskQueueWorkerLifecycle lifecycle() {
        return beans.getBeanProvider(TaskQueueWorkerLifecycle.class).getIfAvailable();
    }

    @Override
    public boolean workerRunning() {
        TaskQueueWorkerLifecycle lifecycle = lifecycle();
        return lifecycle != null && lifecycle.isRunning();
    }

    @Override
    public void startWorker() {
        TaskQueueWorkerLifecycle lifecycle = lifecycle();
        if (lifecycle == null) {
            throw new IllegalStateException("This application runs no worker (taskqueue.worker.enabled=false), so no "
                    + "task of this test can run: remove that property from this test.");
        }
        lifecycle.start();
    }

    @Override
    public void stopWorker() {
        TaskQueueWorkerLifecycle lifecycle = lifecycle();
        if (lifecycle != null && lifecycle.isRunning()) {
            lifecycle.stop();
        }
    }

    @Override
    public List<String> consumedQueues() {
        TaskQueueWorkerLifecycle lifecycle = lifecycle();
        Worker worker = lifecycle != null ? lifecycle.worker() : null;
        return worker != null ? worker.settings().queueNames() : List.of();
    }

    @Override
    public @Nullable Instant submitDueTicks() {
        TaskQueueScheduler scheduler = beans.getBeanProvider(TaskQueueScheduler.class).getIfAvailable();
        return scheduler != null ? scheduler.submitDueTicks() : null;
    }

    /** The application's outbox, when it has one, moves committed rows to Redis in its relay thread: wait for it. */
    @Override
    public boolean awaitOutbox(Duration timeout) {
        OutboxSubmitTransactions outbox = beans.getBeanProvider(OutboxSubmitTransactions.class).getIfAvailable();
        return outbox == null || outbox.awaitSent(timeout);
    }

    @Override
    public boolean manualWorker() {
        return manualWorker;
    }

    /** Nothing to close: the context owns the application's parts (see {@link TestKeys} for its keys). */
    @Override
    public void close() {
    }
}
