package dev.taskqueue.worker;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What keeps failing in a worker for a reason other than a Redis outage (see {@link Backoff}), by what failed, until
 * it works again: {@link Worker#problems()}, which the health check shows.
 */
final class Problems {

    private final Clock clock;
    private final Map<String, Problem> current = new ConcurrentHashMap<>();

    Problems(Clock clock) {
        this.clock = clock;
    }

    /** Records a failure of {@code what}; returns how many times in a row it failed. */
    int failed(String what, RuntimeException error) {
        long now = clock.millis();
        return current.merge(what, new Problem(String.valueOf(error.getMessage()), 1, now),
                (before, latest) -> new Problem(latest.error(), before.times() + 1, before.sinceMillis())).times();
    }

    /** {@code what} worked: returns whether it was failing. */
    boolean cleared(String what) {
        return current.remove(what) != null;
    }

    long millis() {
        return clock.millis();
    }

    /** What fails, with since when, how many times, and the last error. */
    Map<String, String> describe() {
        Map<String, String> described = new TreeMap<>();
        current.forEach((what, problem) -> described.put(what, "failing since "
                + Instant.ofEpochMilli(problem.sinceMillis()) + " (" + problem.times() + " time(s)): " + problem.error()));
        return described;
    }

    private record Problem(String error, int times, long sinceMillis) {
    }
}
