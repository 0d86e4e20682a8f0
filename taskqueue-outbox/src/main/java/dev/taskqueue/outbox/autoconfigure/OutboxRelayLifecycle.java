package dev.taskqueue.outbox.autoconfigure;

import java.time.Duration;

import dev.taskqueue.outbox.OutboxRelay;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the outbox relay with the application and stops it, bounded by {@code taskqueue.outbox.shutdown-timeout},
 * on shutdown. It stops in the default phase, before Redis connections close, so that the last round commits or rolls
 * back while the sender can still reach Redis; rows it did not take wait in the table for the next start.
 */
public class OutboxRelayLifecycle implements SmartLifecycle {

    private final OutboxRelay relay;
    private final Duration shutdownTimeout;

    public OutboxRelayLifecycle(OutboxRelay relay, Duration shutdownTimeout) {
        this.relay = relay;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        relay.start();
    }

    @Override
    public void stop() {
        relay.stop(shutdownTimeout);
    }

    @Override
    public boolean isRunning() {
        return relay.isRunning();
    }
}
