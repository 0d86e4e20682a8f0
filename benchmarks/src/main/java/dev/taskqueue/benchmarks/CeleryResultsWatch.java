package dev.taskqueue.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Times a drain of a Celery queue by its results, the same way whichever worker ran it, Python or Java:
 * <ol>
 * <li>waits until Celery's result backend holds a result ({@code celery-task-meta-<id>}) for every message;</li>
 * <li>reads them all: each must be {@code SUCCESS}, and their sum what the caller expects;</li>
 * <li>the rate is the results after the first over the time from the first {@code date_done} to the last: the
 * worker's own clock, to the microsecond, so neither the worker's start-up nor the watch's polling counts.</li>
 * </ol>
 */
final class CeleryResultsWatch {

    private static final String RESULTS = "celery-task-meta-*";

    // KEYS: none. ARGV[1]: the pattern. Returns how many keys match. The database holds only this drain's keys.
    private static final String COUNT = "return #redis.call('keys', ARGV[1])";

    /** Kombu's hash of messages delivered and not yet acknowledged. */
    private static final String UNACKED = "unacked";

    private static final long POLL_MILLIS = 20;

    private static final int BATCH = 1_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CeleryResultsWatch() {
    }

    /**
     * Waits for {@code total} results of messages of {@code queue}, calling {@code alive} (which throws when the
     * worker died) at every poll, then checks them and returns the drain rate (results per second).
     */
    static double awaitRate(RedisCommands<String, String> redis, String queue, int total, long expectedSum,
            Runnable alive, Deadline deadline, String drain) {
        // Cheap checks first: counting results blocks Redis for a millisecond per few thousand keys, which would slow
        // the drain it measures. Once the queue and kombu's unacked are empty, at most the tasks running are left.
        deadline.await(() -> {
            alive.run();
            return redis.llen(queue) == 0 && redis.hlen(UNACKED) == 0;
        }, POLL_MILLIS, drain + " (waiting for " + queue + " and unacked to be empty)");
        deadline.await(() -> {
            alive.run();
            return count(redis) >= total;
        }, POLL_MILLIS, drain + " (waiting for " + total + " results)");
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        long sum = 0;
        int read = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> keys = redis.scan(cursor, ScanArgs.Builder.matches(RESULTS).limit(BATCH));
            if (!keys.getKeys().isEmpty()) {
                for (KeyValue<String, String> value : redis.mget(keys.getKeys().toArray(String[]::new))) {
                    JsonNode meta = JSON.readTree(value.getValue());
                    if (!"SUCCESS".equals(meta.path("status").asString())) {
                        throw new Scenario.Failed(drain + ": " + value.getKey() + " is not a success: " + meta);
                    }
                    sum += meta.path("result").asLong();
                    Instant done = instant(meta.path("date_done").asString());
                    first = done.isBefore(first) ? done : first;
                    last = done.isAfter(last) ? done : last;
                    read++;
                }
            }
            cursor = keys;
        }
        while (!cursor.isFinished());
        if (read != total || sum != expectedSum) {
            throw new Scenario.Failed(drain + ": " + read + " results summing to " + sum + ", expected " + total
                    + " summing to " + expectedSum);
        }
        Duration span = Duration.between(first, last);
        return (total - 1) * 1e9 / Math.max(1, span.toNanos());
    }

    private static long count(RedisCommands<String, String> redis) {
        Long count = redis.eval(COUNT, ScriptOutputType.INTEGER, new String[0], RESULTS);
        return count == null ? 0 : count;
    }

    /** Python writes {@code datetime.utcnow().isoformat()} (no offset); Java writes the offset. */
    static Instant instant(String isoDateTime) {
        int time = isoDateTime.indexOf('T');
        boolean offset = isoDateTime.endsWith("Z") || isoDateTime.indexOf('+', time) > 0
                || isoDateTime.indexOf('-', time) > 0;
        return offset ? OffsetDateTime.parse(isoDateTime).toInstant()
                : LocalDateTime.parse(isoDateTime).toInstant(ZoneOffset.UTC);
    }
}
