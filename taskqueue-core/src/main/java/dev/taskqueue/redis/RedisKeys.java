package dev.taskqueue.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.TaskOptions;
import org.jspecify.annotations.Nullable;

/**
 * Every Redis key and channel name, built in one place from one prefix. A queue's keys share the hash tag
 * {@code {<prefix>:<queue>}}, so that every script touching one queue runs on one Redis Cluster slot; the worker
 * registry and the task history share {@code {<prefix>}}. Every key is bounded (capped, trimmed) or expires.
 */
final class RedisKeys {

    /** The consumer group every worker of every queue belongs to. */
    static final String GROUP = "workers";

    /** The redelivery stream's suffix; it is read before the priority bands. */
    static final String REDELIVERY = "r";

    /** Streams per queue: the redelivery stream and one per priority. */
    static final int STREAMS_PER_QUEUE = TaskOptions.MAX_PRIORITY + 2;

    /** Queues whose fixed keys are kept as bytes; past this many, keys are built on each use (names are unbounded). */
    private static final int MAX_CACHED_QUEUES = 10_000;

    private final String prefix;

    /**
     * Each queue's keys that depend on no task, built once as bytes: a submit names six keys, and building them
     * (concatenation, then UTF-8) was a quarter of a single submit's time in the caller's thread.
     */
    private final Map<String, QueueKeys> queues = new ConcurrentHashMap<>();

    /** One queue's fixed keys. Callers must not change the arrays they are given. */
    private static final class QueueKeys {

        final String tag;
        final byte[] delayed;
        final byte[] delayedPayloads;
        final byte[] revoked;
        final byte[] noUniqueKey;
        final byte[] recordPrefix;
        /** Index 0 to 9: the priority bands; 10: the redelivery stream. */
        final byte[][] streams = new byte[STREAMS_PER_QUEUE][];

        QueueKeys(String tag) {
            this.tag = tag;
            this.delayed = bytes(tag + ":d");
            this.delayedPayloads = bytes(tag + ":dp");
            this.revoked = bytes(tag + ":revoked");
            this.noUniqueKey = bytes(tag + ":u:-");
            this.recordPrefix = bytes(tag + ":t:");
            for (int band = 0; band <= TaskOptions.MAX_PRIORITY; band++) {
                streams[band] = bytes(tag + ":s:" + band);
            }
            streams[STREAMS_PER_QUEUE - 1] = bytes(tag + ":s:" + REDELIVERY);
        }
    }

    RedisKeys(String prefix) {
        if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}")) {
            throw new IllegalArgumentException("The key prefix must be non-empty and free of braces, got '" + prefix
                    + "'");
        }
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    private String tag(String queue) {
        return keysOf(queue).tag;
    }

    private QueueKeys keysOf(String queue) {
        QueueKeys cached = queues.get(queue);
        if (cached != null) {
            return cached;
        }
        QueueKeys built = new QueueKeys("{" + prefix + ":" + queue + "}");
        if (queues.size() < MAX_CACHED_QUEUES) {
            queues.putIfAbsent(queue, built);
        }
        return built;
    }

    /** The band's index in {@link QueueKeys#streams}, or -1 for a band that is not one. */
    private static int bandIndex(String band) {
        if (band.length() == 1) {
            char c = band.charAt(0);
            if (c >= '0' && c <= '0' + TaskOptions.MAX_PRIORITY) {
                return c - '0';
            }
            if (band.equals(REDELIVERY)) {
                return STREAMS_PER_QUEUE - 1;
            }
        }
        return -1;
    }

    /** {@code {p:q}:s:<band>}: a ready stream; band is a priority digit or {@value #REDELIVERY}. */
    byte[] stream(String queue, String band) {
        int index = bandIndex(band);
        return index >= 0 ? keysOf(queue).streams[index] : bytes(tag(queue) + ":s:" + band);
    }

    /** The queue's stream bands in claim order: redelivered first, then priority 9 down to 0. */
    List<String> bandsInClaimOrder() {
        return CLAIM_ORDER;
    }

    /** The queue's streams in claim order. */
    byte[][] streams(String queue) {
        byte[][] streams = new byte[CLAIM_ORDER.size()][];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = stream(queue, CLAIM_ORDER.get(i));
        }
        return streams;
    }

    /** The queue's streams in claim order, then {@code others} (other keys of the queue, for a script's KEYS). */
    byte[][] streamsAnd(String queue, byte[]... others) {
        byte[][] streams = streams(queue);
        byte[][] all = Arrays.copyOf(streams, streams.length + others.length);
        System.arraycopy(others, 0, all, streams.length, others.length);
        return all;
    }

    /** The queue's priority streams, priority 0 first (index = priority). */
    byte[][] priorityStreams(String queue) {
        byte[][] streams = new byte[TaskOptions.MAX_PRIORITY + 1][];
        for (int p = 0; p < streams.length; p++) {
            streams[p] = stream(queue, Integer.toString(p));
        }
        return streams;
    }

    private static final List<String> CLAIM_ORDER = List.of(REDELIVERY, "9", "8", "7", "6", "5", "4", "3", "2",
            "1", "0");

    /** {@code {p:q}:d}: delayed task ids scored by due time (epoch ms). */
    byte[] delayed(String queue) {
        return keysOf(queue).delayed;
    }

    /**
     * {@code {p:q}:retrying}: the ids of {@link #delayed} that wait for their next attempt (a retry), scored by due
     * time as there; the other delayed ids are scheduled. Written with the retry, removed by the promotion, the
     * revocation and the purge (so that its ZCARD is the queue's retrying count); an id whose task left the delayed
     * set otherwise is trimmed a day after its due time:
     * {@code ZADD {taskqueue:q}:retrying <due ms> <id>} beside {@code ZADD {taskqueue:q}:d <due ms> <id>}.
     */
    byte[] retrying(String queue) {
        return bytes(tag(queue) + ":retrying");
    }

    /**
     * {@code {p:q}:done}: the tasks with a record that finished lately, newest last, about 10,000 of them: an entry
     * per acknowledging script, listing its tasks oldest first,
     * {@code XADD {taskqueue:q}:done MAXLEN ~ <10000 / tasks> * t [[<ids>], [<tasks>], [<states>]]} (one JSON field),
     * read by {@code XREVRANGE {taskqueue:q}:done + - COUNT 50}.
     */
    byte[] done(String queue) {
        return bytes(tag(queue) + ":done");
    }

    /**
     * {@code {p:q}:failures}: failed attempts (retried or dead), newest last, capped in length and age:
     * {@code XADD {taskqueue:q}:failures MAXLEN ~ 10000 * i <id> n <task> s FAILURE et <type> em <message> w <worker>
     * a <attempt> dl <dead letter id>}, then {@code XTRIM {taskqueue:q}:failures MINID <now - 7 days>}.
     */
    byte[] failures(String queue) {
        return bytes(tag(queue) + ":failures");
    }

    /**
     * {@code {p:q}:a:<id>}: a task's attempts that did not succeed, one JSON object each, the last 16:
     * {@code RPUSH {taskqueue:q}:a:<id> {"a":1,"w":"w1","s":..,"f":..,"st":"RETRY","et":..,"em":..,"es":..}},
     * {@code LTRIM {taskqueue:q}:a:<id> -16 -1}, {@code PEXPIRE} as the record.
     */
    byte[] attempts(String queue, String taskId) {
        return bytes(tag(queue) + ":a:" + taskId);
    }

    /** {@code {p:q}:dp}: delayed messages, task id to priority digit + body. */
    byte[] delayedPayloads(String queue) {
        return keysOf(queue).delayedPayloads;
    }

    /**
     * {@code {p:q}:t:<id>}: a task's record (state, timings, result or error). Every script that may create one gives
     * it a TTL in the same call: the acknowledgement takes a record without one for a record its own write created
     * ({@code PEXPIRE NX} in {@link RedisOutcomes}), with nothing to clear and nobody waiting.
     */
    byte[] record(String queue, String taskId) {
        byte[] prefix = keysOf(queue).recordPrefix;
        byte[] id = bytes(taskId);
        byte[] key = Arrays.copyOf(prefix, prefix.length + id.length);
        System.arraycopy(id, 0, key, prefix.length, id.length);
        return key;
    }

    /**
     * {@code {p:q}:u:<key>}: who holds a uniqueness key (a task id, with a TTL); {@code {p:q}:u:-} when none. The key
     * is {@code <task>:<parts>}, every part escaped (see {@code KeyExpression}), so no caller's value can make it
     * another caller's key, nor {@code -}.
     */
    byte[] unique(String queue, @Nullable String key) {
        return key == null ? keysOf(queue).noUniqueKey : bytes(tag(queue) + ":u:" + key);
    }

    /**
     * {@code {p:q}:c:<key>}: the holders of a concurrency limit's permits, task id scored by lease expiry (ms); the
     * key is built as a uniqueness key is.
     */
    byte[] permits(String queue, String key) {
        return bytes(tag(queue) + ":c:" + key);
    }

    /** {@code {p:q}:cw:<key>}: tasks waiting for a permit, scored by when they started waiting. */
    byte[] permitWaiters(String queue, String key) {
        return bytes(tag(queue) + ":cw:" + key);
    }

    /** {@code {p:q}:rate:<key>}: a rate limiter's next free start time (microseconds), with a TTL. */
    byte[] rate(String queue, String key) {
        return bytes(tag(queue) + ":rate:" + key);
    }

    /** {@code {p:q}:revoked}: revoked task ids scored by revocation time, trimmed by age and count. */
    byte[] revoked(String queue) {
        return keysOf(queue).revoked;
    }

    /**
     * The channel on which revocations are announced to running workers: {@code <task id> <0|1 interrupt> <queue>},
     * without the queue when no queue had the task.
     */
    String revokeChannel() {
        return prefix + ":revoke";
    }

    /** {@code {p:q}:paused}: present while the queue is paused. */
    byte[] paused(String queue) {
        return bytes(tag(queue) + ":paused");
    }

    /**
     * {@code {p:q}:throughput}: tasks finished per second over the last two minutes, a ring of 120 fields
     * ({@code second % 120} to {@code <second>:<count>}).
     */
    byte[] throughput(String queue) {
        return bytes(tag(queue) + ":throughput");
    }

    /** The channel on which pauses and resumes are announced, so that waiting workers re-check at once. */
    String controlChannel() {
        return prefix + ":control";
    }

    /** {@code {p:q}:dead}: the dead letters. */
    byte[] dead(String queue) {
        return bytes(tag(queue) + ":dead");
    }

    /** {@code {p:group:<id>}}: a group's members as JSON, with a TTL. Colons never occur in queue names. */
    byte[] group(String groupId) {
        return bytes("{" + prefix + ":group:" + groupId + "}");
    }

    /** {@code {p:chord:<id>}:r}: a chord's member results, index to JSON, with a TTL. */
    byte[] chordResults(String chordId) {
        return bytes("{" + prefix + ":chord:" + chordId + "}:r");
    }

    /** {@code {p:chord:<id>}:m}: a chord's size, body, times and failure, with a TTL. */
    byte[] chordMeta(String chordId) {
        return bytes("{" + prefix + ":chord:" + chordId + "}:m");
    }

    /** {@code {p}:events}: the cluster-wide stream of task events, when it is on. */
    byte[] events() {
        return bytes("{" + prefix + "}:events");
    }

    /** {@code {p}:chords}: chords not yet completed, scored by opening time, trimmed by age. */
    byte[] chords() {
        return bytes("{" + prefix + "}:chords");
    }

    /** {@code {p}:schedule:<name>}: a periodic schedule's last tick and operator setting, with a TTL. */
    byte[] schedule(String name) {
        return bytes("{" + prefix + "}:schedule:" + name);
    }

    /** {@code {p}:workers}: worker ids scored by last heartbeat (broker time, ms). */
    byte[] workers() {
        return bytes("{" + prefix + "}:workers");
    }

    /** {@code {p}:worker:<id>}: a worker's info, expiring with its liveness. */
    byte[] worker(String workerId) {
        return bytes("{" + prefix + "}:worker:" + workerId);
    }

    /** {@code {p}:queues}: the names of the queues in use (see {@link #queueUse()}). */
    byte[] queues() {
        return bytes("{" + prefix + "}:queues");
    }

    /**
     * {@code {p}:queue-use}: each name of {@link #queues()} scored by when it was last used (broker time, ms): a submit
     * to it, a worker that consumes it. A queue unused for the retention and empty is forgotten.
     */
    byte[] queueUse() {
        return bytes("{" + prefix + "}:queue-use");
    }

    /**
     * {@code {p}:worker-queues}: each registered worker's id to the queues it consumes, comma-separated; it outlives
     * the worker's info, so that recovery looks for a dead worker's tasks in its queues only.
     */
    byte[] workerQueues() {
        return bytes("{" + prefix + "}:worker-queues");
    }

    /** {@code {p}:catalog}: the names of the tasks in the task catalog. */
    byte[] catalog() {
        return bytes("{" + prefix + "}:catalog");
    }

    /** {@code {p}:catalog:<task>}: one task's declaration and the instances that publish it, with a TTL. */
    byte[] catalogTask(String taskName) {
        return bytes("{" + prefix + "}:catalog:" + taskName);
    }

    /**
     * {@code {p}:h:m:<minute>} and {@code {p}:h:h:<hour>} (epoch ms / 60,000 or / 3,600,000): the task history's
     * counts of one minute or hour, {@code <metric>|<scope>} to a count (see {@link RedisTaskHistory}), with a TTL:
     * {@code HINCRBY {taskqueue}:h:m:28873333 p|* 12}, {@code PEXPIRE {taskqueue}:h:m:28873333 172800000}.
     */
    byte[] history(String resolution, long bucket) {
        return bytes("{" + prefix + "}:h:" + resolution + ":" + bucket);
    }

    /** {@code {p}:h:m:<minute>:names}: the task names counted apart in that bucket (at most 500), with its TTL. */
    byte[] historyNames(String resolution, long bucket) {
        return bytes("{" + prefix + "}:h:" + resolution + ":" + bucket + ":names");
    }

    /** {@code {p}:beat}: when any worker last heartbeated (broker time, ms), with a TTL. */
    byte[] lastBeat() {
        return bytes("{" + prefix + "}:beat");
    }

    /**
     * {@code {p}:beating-since}: when workers' heartbeats resumed after the last time none could heartbeat (an
     * outage of Redis, or a pause of every worker), with a TTL. Silence before it is not held against a worker.
     */
    byte[] beatingSince() {
        return bytes("{" + prefix + "}:beating-since");
    }

    /** {@code {p}:janitor}: a short lock so that one worker at a time recovers lost tasks. */
    byte[] janitorLock() {
        return bytes("{" + prefix + "}:janitor");
    }

    /** The channel prefix on which a client instance hears that tasks it waits for finished. */
    String notifyChannelPrefix() {
        return prefix + ":notify:";
    }

    /** The channel on which producers announce a delayed task due before all others of its queue. */
    String wakeChannel() {
        return prefix + ":wake";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
