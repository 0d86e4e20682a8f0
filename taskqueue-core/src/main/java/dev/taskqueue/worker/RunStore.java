package dev.taskqueue.worker;

import dev.taskqueue.broker.Broker;
import org.jspecify.annotations.Nullable;

/**
 * What the steps of a run tell the store of tasks while it runs. Its outcome is not among them: that goes back to
 * whoever ran the steps (the {@link Processor}, for its {@link Acker}; the {@link InlineWorker}, for its client). A
 * worker's notices go to Redis ({@link RunningTasks}); the inline mode keeps none of them.
 */
interface RunStore {

    /** Its handler is about to be called: its record says STARTED, unless the task ignores its result. */
    void started(Run run, Broker.Started notice);

    /** Its task reported progress (cut to the stored bound already), kept in its record until it ends. */
    void progress(String queue, String taskId, double fraction, @Nullable String message, long recordTtlMillis);

    /** A stopping worker gives up the run before what follows it in its workflow could start: it runs elsewhere. */
    void release(Run run);
}
