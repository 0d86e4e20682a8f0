package dev.taskqueue.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.taskqueue.DeadLetter;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.DeadLetterRead;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;

/**
 * The chaos scenario's hostile data: what a buggy or hostile writer could leave in Redis, written with plain
 * commands into the scenario's queue while the fleet runs (the shapes of the README's "Bad input" table):
 * <ol>
 * <li>ready entries whose delivery count {@code d} is {@code abc}, {@code 1x}, {@code -5} or {@code 99999999999},
 * one without a task id {@code i} and one without a message {@code m};</li>
 * <li>an entry with {@code d abc} held by a worker that never heartbeats again and whose info hash is garbage;</li>
 * <li>delayed entries ({@code {q}:d} member, {@code {q}:dp} payload) due at once: an empty payload, a payload not led
 * by a priority digit, a member without payload;</li>
 * <li>a task record whose state taskqueue never writes, and a dead letter whose numbers are not numbers;</li>
 * <li>through the client, in one batch: the orders of two callers whose uniqueness keys ({@code #tenant:#orderId} of
 * ("acme:1", "2") and ("acme", "1:2")) used to be the same, and a repeat of the first.</li>
 * </ol>
 * Every id it writes starts with the run's tag and {@code -hostile-}. {@link HostileVerdict} says where each shape
 * ended; {@link #close} deletes what was written and the dead letters the engine made of it.
 */
final class HostileData implements AutoCloseable {

    /** The groups of shapes: one row of the table each, a note for each shape. */
    enum Group {
        STREAM("chaos.hostile.stream", "stream entries quarantined"),
        POISON("chaos.hostile.poison", "d 99999999999 dead as a poison pill"),
        HELD("chaos.hostile.held", "held by a dead worker, quarantined"),
        DELAYED("chaos.hostile.delayed", "delayed entries quarantined"),
        VALUES("chaos.hostile.values", "forged values read as documented"),
        UNIQUE("chaos.hostile.unique", "uniqueness keys as documented");

        final String key;
        final String what;

        Group(String key, String what) {
            this.key = key;
            this.what = what;
        }
    }

    /**
     * A malformed entry, which must end alone in the queue's dead letters, never run.
     *
     * @param group its row
     * @param shape what is wrong with it
     * @param taskId its task id; for the entry without one, the marker in its message's headers
     * @param reason what its dead letter's reason must say
     * @param key where it was written: a stream, or the delayed set
     * @param member its entry id in that stream, or its member in the delayed set
     */
    record Entry(Group group, String shape, String taskId, String reason, String key, String member) {

        /** Whether {@code letter} is this entry's dead letter: by its task id, or by the marker in its message. */
        boolean matches(DeadLetter letter) {
            return letter.taskId().equals(taskId) || letter.message().contains('"' + taskId + '"');
        }
    }

    /**
     * One of the orders submitted through the client.
     *
     * @param shape who submits it
     * @param requestedId the task id it was submitted with
     * @param storedAs the task id the submit returned: its own, or the one it collapsed into
     * @param expected its result when it runs
     * @param repeats the requested id of the order with the same key it must collapse into; null for a caller's own
     */
    record Order(String shape, String requestedId, String storedAs, String expected, @Nullable String repeats) {
    }

    private static final String QUEUE = ChaosTasks.QUEUE;
    private static final String TAG = "{" + Engine.PREFIX + ":" + QUEUE + "}";
    private static final String READY = TAG + ":s:0";
    /** A band no task of the scenario uses (they all have priority 0): the held entry is alone there. */
    private static final String HELD_STREAM = TAG + ":s:5";
    private static final String DELAYED = TAG + ":d";
    private static final String DELAYED_PAYLOADS = TAG + ":dp";
    private static final String DEAD = TAG + ":dead";
    private static final String WORKERS = "{" + Engine.PREFIX + "}:workers";
    private static final String GROUP = "workers";

    /** Reads every dead letter the scenario's queue may hold (a few, unless the run went badly). */
    static final DeadLetterRead ALL_LETTERS = DeadLetterRead.newestFirst(null, 1_000, 65_536, 16 << 20);

    /*
     * Adds an entry and claims it at once as a worker (which will never acknowledge it), in one step so that no
     * live worker can claim it first.
     * KEYS[1] the stream   ARGV[1] group   ARGV[2] consumer   ARGV[3] task id   ARGV[4] message
     * Returns the entry id; an error when the claim took another entry.
     */
    private static final String HOLD = """
            redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
            local id = redis.call('XADD', KEYS[1], '*', 'i', ARGV[3], 'm', ARGV[4], 'd', 'abc')
            local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
            local claimed = read[1][2][1][1]
            if claimed ~= id then return redis.error_reply('claimed ' .. claimed .. ', not ' .. id) end
            return id
            """;

    private final RedisCommands<String, String> redis;
    private final Engine engine;
    private final String tag;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Order> orders = new ArrayList<>();
    private long writtenAt = -1;

    /** @param tag the run's tag: every id written starts with it */
    HostileData(RedisAdmin admin, Engine engine, String tag) {
        this.redis = admin.commands();
        this.engine = engine;
        this.tag = tag;
    }

    /** Writes every shape; due at once, each is claimed or promoted within a moment. */
    void inject() {
        writtenAt = System.currentTimeMillis();
        ready(Group.STREAM, "ready entry, d 'abc'", "d-abc", "'abc' is not a whole number", "d", "abc");
        ready(Group.STREAM, "ready entry, d '1x'", "d-1x", "'1x' is not a whole number", "d", "1x");
        ready(Group.STREAM, "ready entry, d '-5'", "d-minus-5", "'-5' is not a whole number", "d", "-5");
        ready(Group.STREAM, "ready entry without i", "no-i", "no task id", "i", null);
        ready(Group.STREAM, "ready entry without m", "no-m", "no message", "m", null);
        ready(Group.POISON, "ready entry, d '99999999999'", "d-huge", "delivered 1000000000 times", "d",
                "99999999999");
        hold();
        long now = redisMillis();
        delayed("delayed entry, empty payload", id("delayed-empty"), "is empty", "", now);
        String letter = id("delayed-letter");
        delayed("delayed entry, payload not led by a priority digit", letter, "priority digit", "x" + body(letter),
                now);
        delayed("delayed entry, member without payload", id("delayed-none"), "no payload", null, now);
        redis.hset(record(recordId()), Map.of("state", "BOGUS", "task", "chaos.work", "queue", QUEUE));
        redis.xadd(DEAD, Map.of("i", letterId(), "task", "chaos.work", "reason", "written by someone else", "at",
                "never", "attempt", "abc", "deliveries", "1e+11", "m", ""));
        order();
    }

    /** When the shapes were written, epoch ms; -1 before. */
    long writtenAt() {
        return writtenAt;
    }

    boolean written() {
        return writtenAt >= 0;
    }

    /** The malformed entries, in the order written. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    List<Order> orders() {
        return List.copyOf(orders);
    }

    /** The worker that holds an entry and never heartbeats again. */
    String ghost() {
        return id("ghost");
    }

    /** The task whose record holds a state taskqueue never writes. */
    String recordId() {
        return id("record");
    }

    /** The task id of the dead letter whose numbers are not numbers. */
    String letterId() {
        return id("letter");
    }

    /** Whether {@code taskId} is one the hostile step wrote (not the orders: those are tasks like any other). */
    boolean isHostile(String taskId) {
        return taskId.startsWith(tag + "-hostile-") && orders.stream().noneMatch(o -> o.storedAs().equals(taskId));
    }

    /** Whether {@code letter} is of something the hostile step wrote: an entry's, or its own forged one. */
    boolean wrote(DeadLetter letter) {
        return letter.taskId().equals(letterId()) || entries.stream().anyMatch(e -> e.matches(letter));
    }

    /** Whether the entry is still where it was written. */
    boolean stillThere(Entry entry) {
        return entry.key().equals(DELAYED) ? redis.zscore(DELAYED, entry.member()) != null
                : !redis.xrange(entry.key(), Range.create(entry.member(), entry.member())).isEmpty();
    }

    /**
     * Deletes what the hostile step wrote, where it still is, and the dead letters the engine made of it; the
     * orders' records stay, as any task's. When Redis cannot be reached, what is left goes with every other
     * benchmark key (the own server is emptied; on the user's, {@code BenchRedis} deletes the benchmark's keys).
     */
    @Override
    public void close() {
        if (!written()) {
            return;
        }
        try {
            delete();
        }
        catch (RuntimeException ex) {
            // deleted with the benchmark's other keys
        }
    }

    private void delete() {
        List<String> letters = engine.admin.deadLetters(QUEUE, ALL_LETTERS).stream().filter(this::wrote)
                .map(DeadLetter::id).toList();
        if (!letters.isEmpty()) {
            redis.xdel(DEAD, letters.toArray(String[]::new));
        }
        for (Entry entry : entries) {
            if (entry.key().equals(DELAYED)) {
                redis.zrem(DELAYED, entry.member());
                redis.hdel(DELAYED_PAYLOADS, entry.member());
            }
            else {
                redis.xack(entry.key(), GROUP, entry.member());
                redis.xdel(entry.key(), entry.member());
            }
            redis.del(record(entry.taskId()));
        }
        redis.del(record(recordId()));
        redis.xgroupDelconsumer(HELD_STREAM, Consumer.from(GROUP, ghost()));
        redis.zrem(WORKERS, ghost());
        redis.del(worker(ghost()));
    }

    /**
     * Adds a ready entry as the engine writes one ({@code i <id> m <message> d 0}), with one field changed (null:
     * left out), as a hostile or buggy writer would.
     */
    private void ready(Group group, String shape, String name, String reason, String field, @Nullable String value) {
        String taskId = id(name);
        Map<String, String> fields = new LinkedHashMap<>(Map.of("i", taskId, "m", body(taskId), "d", "0"));
        if (value == null) {
            fields.remove(field);
        }
        else {
            fields.put(field, value);
        }
        entries.add(new Entry(group, shape, taskId, reason, READY, redis.xadd(READY, fields)));
    }

    /** A worker that heartbeated once (its info garbage), and an entry it claimed and will never acknowledge. */
    private void hold() {
        String ghost = ghost();
        redis.hset(worker(ghost), Map.of("host", "hostile", "pid", "abc", "concurrency", "1x", "started", "-5",
                "active", "many", "queues", QUEUE, "state", "RUNNING", "heartbeat", "never"));
        redis.zadd(WORKERS, redisMillis(), ghost);
        String held = id("held-abc");
        String entryId = redis.eval(HOLD, ScriptOutputType.VALUE, new String[] { HELD_STREAM }, GROUP, ghost, held,
                body(held));
        entries.add(new Entry(Group.HELD, "entry with d 'abc' held by a dead worker whose info is garbage", held,
                "'abc' is not a whole number", HELD_STREAM, entryId));
    }

    private void delayed(String shape, String taskId, String reason, @Nullable String payload, long due) {
        if (payload != null) {
            redis.hset(DELAYED_PAYLOADS, taskId, payload);
        }
        redis.zadd(DELAYED, due, taskId);
        entries.add(new Entry(Group.DELAYED, shape, taskId, reason, DELAYED, taskId));
    }

    /** Two callers' orders and a repeat of the first, in one batch: the repeat collapses, whatever the timing. */
    private void order() {
        String[][] calls = { { "caller ('acme:1', '2')", "acme:1", "2" }, { "caller ('acme', '1:2')", "acme", "1:2" },
                { "a repeat of ('acme:1', '2') in the same batch", "acme:1", "2" } };
        List<TaskCall<?>> batch = new ArrayList<>();
        for (int i = 0; i < calls.length; i++) {
            batch.add(TaskCall.of(ChaosTasks::order, calls[i][1], calls[i][2])
                    .withOptions(TaskOptions.defaults().taskId(id("order-" + (i + 1)))));
        }
        List<TaskHandle<?>> handles = engine.client.submitAll(batch);
        for (int i = 0; i < calls.length; i++) {
            orders.add(new Order(calls[i][0], id("order-" + (i + 1)), handles.get(i).id(),
                    calls[i][1] + "|" + calls[i][2], i == 2 ? id("order-1") : null));
        }
    }

    /** A message of a plain chaos task, marked with {@code marker} in its headers. */
    private static String body(String marker) {
        return "{\"task\":\"chaos.work\",\"args\":[20],\"queue\":\"" + QUEUE + "\",\"created\":"
                + System.currentTimeMillis() + ",\"headers\":{\"hostile\":\"" + marker + "\"}}";
    }

    private String id(String name) {
        return tag + "-hostile-" + name;
    }

    /** Redis's clock, which scores heartbeats and due times. */
    private long redisMillis() {
        List<String> time = redis.time();
        return Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000;
    }

    private static String record(String taskId) {
        return TAG + ":t:" + taskId;
    }

    private static String worker(String workerId) {
        return "{" + Engine.PREFIX + "}:worker:" + workerId;
    }
}
