package dev.taskqueue.worker;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.internal.TaskCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the tasks this worker runs to the task catalog, so that other services can submit them by name with
 * their declared queue, priority, policies and parameters: at start, then every
 * {@link TaskCatalog#PUBLISH_INTERVAL} (the "last seen" of each task and instance). At stop it withdraws this
 * worker from the tasks' instances; the tasks stay known until the catalog's retention passes.
 */
final class CatalogPublisher {

    private static final Logger log = LoggerFactory.getLogger(CatalogPublisher.class);

    /** How soon a failed publish is tried again. */
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final String workerId;
    private final TaskCatalog catalog;
    private final Duration interval;
    private final WorkerLoop loop;
    private boolean failing;
    private boolean warnedFull;

    CatalogPublisher(WorkerContext worker, TaskCatalog catalog, Duration interval) {
        this.workerId = worker.workerId();
        this.catalog = catalog;
        this.interval = interval;
        this.loop = worker.loop("catalog", () -> paceAfter(publish())); // a publish reports its own failures
    }

    void start() {
        if (!catalog.isShared() || catalog.registry().all().isEmpty()) {
            return;
        }
        // Once before the first claim, so that a started worker's tasks can be submitted by name at once.
        loop.start(paceAfter(publish()));
    }

    /** How long until the next publish: a failed one is tried again sooner. */
    private long paceAfter(boolean published) {
        return (published ? interval : RETRY).toMillis();
    }

    /** One publish; a failure is logged once per outage. */
    boolean publish() {
        try {
            List<String> refused = catalog.publish(workerId);
            if (!refused.isEmpty() && !warnedFull) {
                warnedFull = true;
                log.warn("The task catalog is full: tasks {} of worker {} are not published, so other services "
                        + "cannot submit them by name; remove task names no longer used (they expire after {})",
                        refused, workerId, TaskCatalog.RETENTION);
            }
            failing = false;
            return true;
        }
        catch (RuntimeException ex) {
            if (!failing) {
                failing = true;
                log.warn("Worker {} could not publish its tasks to the task catalog ({}); retrying every {}",
                        workerId, ex.getMessage(), RETRY);
            }
            return false;
        }
    }

    /** Publishes nothing more, at once (after a fatal error). */
    void halt() {
        loop.halt();
    }

    /** Stops publishing. */
    void stop() {
        loop.stop(Duration.ofSeconds(5));
    }

    /** Withdraws this worker from the instances of its tasks. */
    void withdraw() {
        if (catalog.isShared()) {
            catalog.withdraw(workerId);
        }
    }
}
