package dev.taskqueue.worker;

import java.time.Clock;

import dev.taskqueue.TaskError;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.StoredText;

/**
 * What the steps of every run share ({@link Admission}, {@link Invocation}, {@link Retries}, {@link Endings}), wherever
 * it runs: on a worker's task thread, or in the thread that submits it in the inline mode ({@link InlineWorker}).
 * Only {@code store} is told anything along the way: the steps need no Redis of their own.
 *
 * @param workerId who runs it: the worker's id, or {@value dev.taskqueue.client.InlineTaskClient#WORKER_ID}
 * @param store where its notices go while it runs
 */
record RunEnvironment(String workerId, WorkerSettings settings, TaskEventListener listener, Clock clock,
        RunStore store) {

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
}
