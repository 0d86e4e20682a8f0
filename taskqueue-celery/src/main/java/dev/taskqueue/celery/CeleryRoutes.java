package dev.taskqueue.celery;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Which calls go to Celery queues, as Celery's {@code task_routes} decides where a task goes: the call's own queue
 * option when it names a Celery queue; else the first route whose name pattern ({@code *} for any characters, as in
 * Celery's glob routes) matches the task name; else the queue the task's {@code @Task} declares, when that is a
 * Celery queue. Everything else stays on taskqueue's own queues.
 */
final class CeleryRoutes {

    private final Set<String> celeryQueues;
    private final Map<Pattern, String> routes = new LinkedHashMap<>();

    /**
     * @param celeryQueues the queues in Celery's format
     * @param routes task name pattern to queue, in the order they are tried
     */
    CeleryRoutes(List<String> celeryQueues, Map<String, String> routes) {
        this.celeryQueues = Set.copyOf(celeryQueues);
        routes.forEach((pattern, queue) -> {
            if (!this.celeryQueues.contains(queue)) {
                throw new IllegalArgumentException("taskqueue.celery.routes sends '" + pattern + "' to queue '" + queue
                        + "', which is not a Celery queue: add it to taskqueue.celery.queues " + celeryQueues);
            }
            this.routes.put(glob(pattern), queue);
        });
    }

    boolean isCeleryQueue(@Nullable String queue) {
        return queue != null && celeryQueues.contains(queue);
    }

    Set<String> celeryQueues() {
        return celeryQueues;
    }

    /** The Celery queue of this call, or null when it is not a Celery call. */
    @Nullable String queueOf(String taskName, @Nullable String optionQueue, @Nullable String declaredQueue) {
        if (optionQueue != null) {
            return isCeleryQueue(optionQueue) ? optionQueue : null;
        }
        for (Map.Entry<Pattern, String> route : routes.entrySet()) {
            if (route.getKey().matcher(taskName).matches()) {
                return route.getValue();
            }
        }
        return isCeleryQueue(declaredQueue) ? declaredQueue : null;
    }

    private static Pattern glob(String pattern) {
        return Pattern.compile(Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }
}
