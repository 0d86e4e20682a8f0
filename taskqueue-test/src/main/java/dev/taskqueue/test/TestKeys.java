package dev.taskqueue.test;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.redis.RedisBroker;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes the keys of an application context's prefix when the context closes: its phase comes right after the
 * worker's (stopped, so nothing writes any more) and long before the Redis connection factory's (still open). Best
 * effort: at the JVM's exit the test Redis may be stopping too.
 */
final class TestKeys implements SmartLifecycle {

    private final ListableBeanFactory beans;
    private volatile boolean running;

    TestKeys(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        try {
            if (beans.getBeanProvider(Broker.class).getIfAvailable() instanceof RedisBroker broker) {
                broker.forgetEverything();
            }
        }
        catch (RuntimeException ex) {
            // the server is gone (the JVM is exiting) or unreachable: there is nothing left to keep clean
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return TaskQueueWorkerLifecycle.PHASE - 1;
    }
}
