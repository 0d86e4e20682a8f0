package dev.taskqueue.worker;

import java.time.Clock;

import dev.taskqueue.broker.Broker;
import dev.taskqueue.event.TaskEventListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * What every part of one worker shares: its id, its broker, its settings, the listener of its events, its clock, its
 * record of what keeps failing, and the handler of its fatal errors. Built once, by the {@link Worker}; its
 * components are of distinct types, so that they cannot be passed in the wrong order.
 *
 * @param workerId the worker's id: its consumer name in Redis
 * @param problems what keeps failing in its parts ({@link Worker#problems()})
 * @param fatal the handler of every thread of the worker
 */
record WorkerContext(String workerId, Broker broker, WorkerSettings settings, TaskEventListener listener,
        Clock clock, Problems problems, FatalErrors fatal) {

    /** What the steps of this worker's runs share, their notices going to {@code store}. */
    RunEnvironment runs(RunStore store) {
        return new RunEnvironment(workerId, settings, listener, clock, store);
    }

    /** How long a concurrency permit holds without the heartbeat extending it: a dead worker's comes back then. */
    long permitLeaseMillis() {
        return settings.livenessTimeout().multipliedBy(3).toMillis();
    }

    /** The back-off of a part's calls that fail as "Could not {@code what}", logged with the part's {@code log}. */
    Backoff backoff(String what, Logger log) {
        return new Backoff(what, problems, log);
    }

    /** The loop of a part that handles its own failures, on the thread {@code taskqueue-<part>-<worker id>}. */
    WorkerLoop loop(String part, WorkerLoop.Step step) {
        return loop(part, null, step);
    }

    /** The loop of a part whose failed steps {@code backoff} reports and spaces out. */
    WorkerLoop loop(String part, @Nullable Backoff backoff, WorkerLoop.Step step) {
        return new WorkerLoop("taskqueue-" + part + "-" + workerId, fatal, backoff, step);
    }
}
