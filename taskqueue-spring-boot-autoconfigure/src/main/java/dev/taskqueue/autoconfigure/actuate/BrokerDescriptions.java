package dev.taskqueue.autoconfigure.actuate;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.worker.Worker;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;

/** What the endpoint, the health indicator and the meters say about the worker and the queues. */
final class BrokerDescriptions {

    private BrokerDescriptions() {
    }

    /**
     * The queues this application's worker consumes; without a running worker, the queues this application
     * declares (its default queue and those of its tasks).
     */
    static Set<String> consumedOrDeclaredQueues(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle,
            TaskRegistry registry) {
        Worker current = worker(lifecycle);
        if (current != null) {
            return new LinkedHashSet<>(current.settings().queueNames());
        }
        return registry.declaredQueues();
    }

    /** The queues this application's worker consumes, read when asked (none without a worker). */
    static Supplier<List<String>> consumedQueues(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        return () -> {
            Worker worker = worker(lifecycle);
            return worker != null ? worker.settings().queueNames() : List.of();
        };
    }

    /** This application's worker, or null when it runs none (or has not started it yet). */
    static @Nullable Worker worker(ObjectProvider<TaskQueueWorkerLifecycle> lifecycle) {
        TaskQueueWorkerLifecycle found = lifecycle.getIfAvailable();
        return found != null ? found.worker() : null;
    }
}
