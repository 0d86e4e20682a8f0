package dev.taskqueue.worker;

import java.time.Clock;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.StoredText;

/**
 * What every part of one worker shares: its id, its broker, its settings, the listener of its events and its clock.
 *
 * @param workerId the worker's id: its consumer name in Redis
 */
record WorkerContext(String workerId, Broker broker, WorkerSettings settings, TaskEventListener listener,
        Clock clock) {

    /** How long a task's record lives. */
    long resultTtlMillis() {
        return settings.resultTtl().toMillis();
    }

    /** An error as stored: its message and stack trace cut to the settings' bounds. */
    TaskError stored(Throwable thrown, boolean retryable) {
        return Errors.toTaskError(thrown, retryable, settings.maxTextSize(), settings.maxStackTraceSize());
    }

    /** An error from elsewhere, cut to the same bounds. */
    TaskError stored(TaskError error) {
        return Errors.cut(error, settings.maxTextSize(), settings.maxStackTraceSize());
    }

    /** A text from the task or about it (a reason, a name from its message) as stored: cut to the settings' bound. */
    String stored(String text) {
        return StoredText.cut(text, settings.maxTextSize());
    }

    /** How long a concurrency permit holds without the heartbeat extending it: a dead worker's comes back then. */
    long permitLeaseMillis() {
        return settings.livenessTimeout().multipliedBy(3).toMillis();
    }
}
