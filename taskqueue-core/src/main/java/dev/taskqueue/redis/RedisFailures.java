package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisQueueBrowser.emptyToNull;
import static dev.taskqueue.redis.RedisQueueBrowser.field;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.TaskError;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.broker.QueueBrowser.Page;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import org.jspecify.annotations.Nullable;

/**
 * The failures across queues, newest first: each queue's {@code {q}:failures} stream read backwards a batch at a time
 * ({@code XREVRANGE {taskqueue:q}:failures (<cursor> - COUNT 100}, the queues' batches pipelined), merged by entry id
 * (the time of the failure) and filtered. One call looks at no more than {@value #LOOKED_AT} failures: a filter that
 * matches few of them returns a shorter page, and its cursor goes on from where the call stopped.
 *
 * <p>The cursor is the last failure looked at, {@code <entry id>:<queue>}: failures come in the order (entry id
 * descending, queue ascending), so two queues' failures of the same millisecond are neither skipped nor repeated.
 */
final class RedisFailures {

    /** Failures read per queue and round trip. */
    static final int BATCH = 100;

    /** Failures looked at per call, at most. */
    static final int LOOKED_AT = 5_000;

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;

    RedisFailures(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
    }

    /** One queue's failures not yet merged, and where its next batch starts. */
    private final class Source {

        final String queue;
        final Deque<StreamMessage<byte[], byte[]>> buffered = new ArrayDeque<>();
        Range.Boundary<String> high;
        boolean exhausted;
        @Nullable CompletableFuture<List<StreamMessage<byte[], byte[]>>> reading;

        Source(String queue, Range.Boundary<String> high) {
            this.queue = queue;
            this.high = high;
        }

        void read() {
            reading = redis.commands().xrevrange(keys.failures(queue), Range.from(Range.Boundary.including("-"), high),
                    Limit.from(BATCH)).toCompletableFuture();
        }

        void receive() {
            CompletableFuture<List<StreamMessage<byte[], byte[]>>> reply = reading;
            if (reply == null) {
                return;
            }
            reading = null;
            List<StreamMessage<byte[], byte[]>> batch = redis.await(reply, "read the failures of queue '" + queue
                    + "'");
            buffered.addAll(batch);
            exhausted = batch.size() < BATCH;
            if (!batch.isEmpty()) {
                high = Range.Boundary.excluding(batch.get(batch.size() - 1).getId());
            }
        }
    }

    Page read(FailureFilter filter, @Nullable String cursor, int count) {
        String afterId = null;
        String afterQueue = "";
        if (cursor != null && cursor.indexOf(':') > 0) {
            afterId = cursor.substring(0, cursor.indexOf(':'));
            afterQueue = cursor.substring(cursor.indexOf(':') + 1);
        }
        List<String> queues = filter.queue() != null && !filter.queue().isBlank() ? List.of(filter.queue())
                : queueNames.all().stream().sorted().toList();
        List<Source> sources = new ArrayList<>();
        for (String queue : queues) {
            // After (id, queue) in (id desc, queue asc): older ids, or the same id in a later queue.
            Range.Boundary<String> high = afterId == null ? Range.Boundary.including("+")
                    : queue.compareTo(afterQueue) > 0 ? Range.Boundary.including(afterId)
                            : Range.Boundary.excluding(afterId);
            sources.add(new Source(queue, high));
        }
        Comparator<Source> newestFirst = Comparator
                .comparing((Source s) -> entryId(s.buffered.peekFirst()), RedisValues.ENTRY_ORDER).reversed()
                .thenComparing(s -> s.queue);
        List<BrowsedTask> page = new ArrayList<>();
        String last = null;
        int looked = 0;
        while (page.size() < count && looked < LOOKED_AT) {
            // A source whose buffer ran dry may hold the newest failure unread: refill those (pipelined) first.
            List<Source> dry = sources.stream().filter(s -> s.buffered.isEmpty() && !s.exhausted).toList();
            dry.forEach(Source::read);
            dry.forEach(Source::receive);
            Source next = sources.stream().filter(s -> !s.buffered.isEmpty()).min(newestFirst).orElse(null);
            if (next == null) {
                return new Page(page, null);
            }
            StreamMessage<byte[], byte[]> e = next.buffered.pollFirst();
            looked++;
            last = e.getId() + ":" + next.queue;
            BrowsedTask failure = failure(next.queue, e);
            if (matches(filter, failure)) {
                page.add(failure);
            }
        }
        boolean more = sources.stream().anyMatch(s -> !s.buffered.isEmpty() || !s.exhausted);
        return new Page(page, more ? last : null);
    }

    private static String entryId(@Nullable StreamMessage<byte[], byte[]> e) {
        return e == null ? "0-0" : e.getId();
    }

    private static BrowsedTask failure(String queue, StreamMessage<byte[], byte[]> e) {
        String type = field(e, "et");
        TaskError error = type.isEmpty() && field(e, "em").isEmpty() ? null
                : new TaskError(type.isEmpty() ? "unknown" : type, emptyToNull(field(e, "em")), null, false);
        return new BrowsedTask(field(e, "i"), queue, emptyToNull(field(e, "n")), field(e, "s"), null, null, null,
                BrowsedRows.entryTime(e.getId()), (int) RedisValues.number(field(e, "a"), 0),
                emptyToNull(field(e, "w")), error, null, emptyToNull(field(e, "dl")));
    }

    private static boolean matches(FailureFilter filter, BrowsedTask failure) {
        String name = failure.name() == null ? "" : failure.name();
        String type = failure.error() == null ? "" : failure.error().type();
        String message = failure.error() == null || failure.error().message() == null ? ""
                : failure.error().message();
        return contains(name, filter.task()) && contains(type, filter.errorType())
                && (contains(message, filter.text()) || contains(type, filter.text()) || contains(name, filter.text()));
    }

    private static boolean contains(String value, @Nullable String part) {
        return part == null || part.isBlank() || value.toLowerCase(Locale.ROOT).contains(part.strip()
                .toLowerCase(Locale.ROOT));
    }
}
