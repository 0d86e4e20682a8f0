package dev.taskqueue.celery;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * Celery's events and remote control for a Java worker: its events ({@code worker-online}, heartbeats, task events
 * when asked for) for {@code celery events} and Flower, and its answers to {@code celery inspect} and
 * {@code control.revoke}. Both share one Lamport clock, as a Celery worker's do.
 */
final class CeleryMonitoring implements AutoCloseable, CeleryWorkerEvents {

    private final CeleryEventSender events;
    private final @Nullable CeleryRemoteControl control;

    private CeleryMonitoring(CeleryEventSender events, @Nullable CeleryRemoteControl control) {
        this.events = events;
        this.control = control;
    }

    /** Starts what the options ask for, and tells the worker to send its task events here. */
    static CeleryMonitoring start(CeleryWorker worker, CeleryInterop.WorkerOptions options, CeleryRedis redis,
            String brokerHost, int brokerPort) {
        AtomicLong lamport = new AtomicLong();
        CeleryEventSender events = new CeleryEventSender(redis, worker, lamport, options.sendTaskEvents(),
                options.heartbeat(), Clock.systemDefaultZone());
        CeleryRemoteControl control = options.remoteControl()
                ? new CeleryRemoteControl(redis, worker, lamport, brokerHost, brokerPort, Clock.systemDefaultZone())
                : null;
        CeleryMonitoring monitoring = new CeleryMonitoring(events, control);
        events.start();
        if (control != null) {
            control.start();
        }
        worker.events(monitoring);
        return monitoring;
    }

    @Override
    public void received(CeleryMessage message) {
        events.taskReceived(message.id(), message.displayName(), message.args().toString(),
                message.kwargs().toString(), message.rootId(), message.parentId(), message.retries(), message.eta(),
                message.expires());
    }

    @Override
    public void started(CeleryMessage message) {
        events.taskStarted(message.id());
    }

    @Override
    public void succeeded(CeleryMessage message, String resultRepr, double runtimeSeconds) {
        events.taskSucceeded(message.id(), resultRepr, runtimeSeconds);
    }

    @Override
    public void failed(CeleryMessage message, String exceptionRepr, String traceback) {
        events.taskFailed(message.id(), exceptionRepr, traceback);
    }

    @Override
    public void retried(CeleryMessage message, String exceptionRepr, String traceback) {
        events.taskRetried(message.id(), exceptionRepr, traceback);
    }

    @Override
    public void revoked(CeleryMessage message, boolean expired) {
        events.taskRevoked(message.id(), false, expired);
    }

    /** Stops answering remote control, then sends {@code worker-offline}. */
    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
        events.close();
    }
}
