package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.TaskIds;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.broker.WorkflowStore.ChordProgress;
import dev.taskqueue.broker.WorkflowStore.Member;
import dev.taskqueue.internal.TaskDeclarations;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import org.jspecify.annotations.Nullable;

/**
 * Workflow state in Redis. A chord's keys share one hash tag ({@code {p:chord:<id>}}), so its bookkeeping is one
 * script on one shard; a group is one string key; abandoned records are written per queue, where they live.
 * <pre>
 * SET {taskqueue:group:&lt;id&gt;} "&lt;queue&gt; &lt;task id&gt;\n..." NX PX &lt;ttl&gt;   a group's members
 * HSET {taskqueue:chord:&lt;id&gt;}:m size 3 body &lt;task id&gt; ...        a chord's meta (its body's spec included)
 * HSETNX {taskqueue:chord:&lt;id&gt;}:r &lt;index&gt; &lt;result JSON&gt;         a member's report
 * ZADD {taskqueue}:chords NX &lt;opened ms&gt; &lt;id&gt;                   the chords not completed, for operators
 * </pre>
 * Built by {@link RedisStores}.
 */
public final class RedisWorkflows implements WorkflowStore {

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisWorkflows(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    // ------------------------------------------------------------------------------------------ groups

    /** Members as lines of {@code <queue> <task id>}: neither contains spaces or newlines. */
    @Override
    public void saveGroup(String groupId, List<Member> members, long ttlMillis) {
        StringBuilder text = new StringBuilder(members.size() * 48);
        for (Member member : members) {
            text.append(member.queue()).append(' ').append(member.taskId()).append('\n');
        }
        redis.await(redis.commands().set(keys.group(groupId), bytes(text.toString()),
                SetArgs.Builder.nx().px(ttlMillis)), "store group " + groupId);
    }

    /**
     * The group's members, or null when it is not stored.
     *
     * @throws UnreadableRecordException when a line is not one {@link #saveGroup} writes
     */
    @Override
    public @Nullable List<Member> group(String groupId) {
        byte[] text = redis.await(redis.commands().get(keys.group(groupId)), "read group " + groupId);
        if (text == null) {
            return null;
        }
        List<Member> members = new ArrayList<>();
        String[] lines = string(text).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue; // an empty group
            }
            Member member = member(lines[i]);
            if (member == null) {
                throw UnreadableRecordException.ofGroup(groupId, "its line " + (i + 1) + " "
                        + UnreadableRecordException.quote(lines[i]) + " is not '<queue> <task id>'");
            }
            members.add(member);
        }
        return members;
    }

    /** A member's line, or null when it is not one: a nested group's line has no queue (it starts with the space). */
    private static @Nullable Member member(String line) {
        int space = line.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String queue = line.substring(0, space);
        String id = line.substring(space + 1);
        try {
            TaskIds.check(id);
            if (!queue.isEmpty()) {
                TaskDeclarations.checkQueueName(queue);
            }
            return new Member(id, queue);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ chords

    /*
     * KEYS[1] {c}:m   ARGV[1] size   ARGV[2] body task id   ARGV[3] body task name   ARGV[4] ttl ms
     * ARGV[5] the body's workflow spec (JSON)
     * Returns the time it opened, or 0 when it was open already (a resubmitted or redelivered workflow).
     */
    private static final LuaScript OPEN_CHORD = new LuaScript("open-chord", """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              local now = now_ms()
              redis.call('HSET', KEYS[1], 'size', ARGV[1], 'body', ARGV[2], 'bodyTask', ARGV[3], 'created', now,
                'updated', now, 'spec', ARGV[5])
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
              return now
            end
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public void openChord(String chordId, int size, String bodyJson, String bodyTaskId, String bodyTaskName,
            long ttlMillis) {
        long opened = redis.await(OPEN_CHORD.run(redis.commands(), new byte[][] { keys.chordMeta(chordId) },
                bytes(Integer.toString(size)), bytes(bodyTaskId), bytes(bodyTaskName),
                bytes(Long.toString(ttlMillis)), bytes(bodyJson)), "open chord " + chordId);
        if (opened > 0) {
            // Another slot than the chord's: a second command. The list is for operators; trimmed by age.
            redis.await(redis.commands().zadd(keys.chords(), ZAddArgs.Builder.nx(), (double) opened,
                    bytes(chordId)), "list chord " + chordId);
            redis.commands().zremrangebyscore(keys.chords(), io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY,
                    (double) (opened - ttlMillis)));
            // Like every chord key, the list expires: when no chord opened for a TTL, all it held has expired.
            redis.commands().pexpire(keys.chords(), ttlMillis);
        }
    }

    /*
     * KEYS[1] {c}:r   KEYS[2] {c}:m
     * ARGV[1] size   ARGV[2] ttl ms   ARGV[3] failure ('' = none)   ARGV[4..] member index, its result JSON, ... (none
     * for a failure)
     * A failure that fails the chord is kept once (the first); after it, reports change nothing. Otherwise each
     * result is kept once per index (HSETNX: a redelivered member changes nothing), and when every index has one
     * (fields that are not an index of the chord, written by something else, do not count), returns them all:
     * whoever sees that starts the body, with a fixed id, so the body is stored once. Members that report at the
     * same time go in one call (reports): the chord's TTL and its 'updated' time are written once for them.
     * Returns {0} waiting, {1, spec, index, json, ...} complete, {2, spec} failed now, {3, spec} failed before
     * (spec: the body's workflow spec, false when the chord's state expired).
     */
    private static final LuaScript REPORT = new LuaScript("chord-report", """
            local now = now_ms()
            local ttl = tonumber(ARGV[2])
            if redis.call('HEXISTS', KEYS[2], 'failed') == 1 then
              return {3, redis.call('HGET', KEYS[2], 'spec')}
            end
            if ARGV[3] ~= '' then
              redis.call('HSET', KEYS[2], 'failed', ARGV[3], 'updated', now)
              redis.call('PEXPIRE', KEYS[2], ttl)
              return {2, redis.call('HGET', KEYS[2], 'spec')}
            end
            for i = 4, #ARGV, 2 do
              redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            redis.call('HSET', KEYS[2], 'updated', now)
            redis.call('PEXPIRE', KEYS[1], ttl)
            redis.call('PEXPIRE', KEYS[2], ttl)
            local size = tonumber(ARGV[1])
            if redis.call('HLEN', KEYS[1]) >= size then
              local all = redis.call('HGETALL', KEYS[1])
              local reported = 0
              for i = 1, #all, 2 do
                local at = read_int(all[i])
                if at and at < size then reported = reported + 1 end
              end
              if reported >= size then
                redis.call('HSETNX', KEYS[2], 'completed', now)
                local out = {1, redis.call('HGET', KEYS[2], 'spec')}
                for i = 1, #all do out[i + 2] = all[i] end
                return out
              end
            end
            return {0}
            """, ScriptOutputType.MULTI);

    /** A header task's result for its chord, with what every report to that chord carries. */
    private record MemberReport(int size, long ttlMillis, int index, String resultJson) {
    }

    /**
     * Members of one chord that end at the same time report in one call. One call per chord in flight: with four,
     * when each member waited on its own thread for the answer, the chord of 50,000 took more JVM CPU per member
     * (41.6-80.0 us against 37.0-66.8) for no faster chord (21,703 against 22,239 members/s); since members stopped
     * waiting, two and four could not be told from one in three alternating runs each (noise).
     */
    private static final int SCRIPTS_IN_FLIGHT_PER_CHORD = 1;

    private final Combiner<MemberReport, SharedProgress> reports = new Combiner<>(
            Combiner.Sender.inOneCall(this::sendReports), report -> report.resultJson().length(),
            SCRIPTS_IN_FLIGHT_PER_CHORD);

    @Override
    public ChordProgress reportToChord(String chordId, int index, int size, @Nullable String resultJson,
            @Nullable String failure, long ttlMillis) {
        if (failure != null) {
            return redis.await(report(chordId, size, failure, List.of(), ttlMillis), "report to chord " + chordId);
        }
        SharedProgress shared = redis.await(reports.submit(chordId, new MemberReport(size, ttlMillis, index,
                resultJson == null ? "null" : resultJson)), "report to chord " + chordId);
        return shared.mine();
    }

    /**
     * Sent with the reports of other members of the chord, like {@link #reportToChord}; its future completes on the
     * thread that read the reply (Lettuce's event loop). Each call of reports is bounded by the connection's timeout
     * ({@link #sendReports}), and the calls before a report's own are too: each report is answered.
     */
    @Override
    public CompletableFuture<ChordProgress> reportToChordLater(String chordId, int index, int size,
            String resultJson, long ttlMillis) {
        String what = "report to chord " + chordId;
        return reports.submit(chordId, new MemberReport(size, ttlMillis, index, resultJson))
                .handle((shared, failure) -> {
                    if (failure != null) {
                        throw redis.translate(what, failure instanceof CompletionException wrapped
                                && wrapped.getCause() != null ? wrapped.getCause() : failure);
                    }
                    return shared.mine();
                });
    }

    /**
     * What one call of a chord's reports found, for each member of the call. Whoever sees the chord complete starts
     * its body: of the members of one call, the first to read it (one that gave up waiting never does).
     */
    private record SharedProgress(ChordProgress progress, AtomicBoolean completionTaken) {

        ChordProgress mine() {
            if (progress.kind() != ChordProgress.Kind.COMPLETE || completionTaken.compareAndSet(false, true)) {
                return progress;
            }
            return ChordProgress.WAITING;
        }
    }

    /**
     * Reports of one chord in one call: each member of it shares what the call found. The call is bounded by the
     * connection's timeout, once for all of them (a bound per member cost a timer each), so that members that do not
     * wait for it ({@link #reportToChordLater}) are answered all the same.
     */
    private CompletableFuture<List<SharedProgress>> sendReports(String chordId, List<MemberReport> members) {
        MemberReport first = members.get(0);
        return report(chordId, first.size(), "", members, first.ttlMillis())
                .orTimeout(redis.timeout().toMillis(), TimeUnit.MILLISECONDS).thenApply(progress -> Collections
                        .nCopies(members.size(), new SharedProgress(progress, new AtomicBoolean())));
    }

    private CompletableFuture<ChordProgress> report(String chordId, int size, String failure,
            List<MemberReport> results, long ttlMillis) {
        byte[][] args = new byte[3 + 2 * results.size()][];
        args[0] = bytes(Integer.toString(size));
        args[1] = bytes(Long.toString(ttlMillis));
        args[2] = bytes(failure);
        for (int i = 0; i < results.size(); i++) {
            args[3 + 2 * i] = bytes(Integer.toString(results.get(i).index()));
            args[4 + 2 * i] = bytes(results.get(i).resultJson());
        }
        CompletableFuture<List<Object>> reply = redis.sendFromAnyThread(commands -> REPORT.run(commands,
                new byte[][] { keys.chordResults(chordId), keys.chordMeta(chordId) }, args));
        return reply.thenApply(stored -> progress(stored, size));
    }

    private static ChordProgress progress(List<Object> reply, int size) {
        long kind = (Long) reply.get(0);
        if (kind == 0) {
            return ChordProgress.WAITING;
        }
        // Lua's false (no spec: the chord's state expired) arrives as null.
        String spec = reply.get(1) instanceof byte[] bytes ? string(bytes) : null;
        if (kind == 2) {
            return new ChordProgress(ChordProgress.Kind.FAILED_NOW, List.of(), spec);
        }
        if (kind == 3) {
            return new ChordProgress(ChordProgress.Kind.FAILED_BEFORE, List.of(), spec);
        }
        String[] ordered = new String[size];
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            int at = RedisValues.count(string(reply.get(i))); // -1 for a field not written by a member: skipped
            if (at >= 0 && at < size) {
                ordered[at] = string(reply.get(i + 1));
            }
        }
        return new ChordProgress(ChordProgress.Kind.COMPLETE, List.of(ordered), spec);
    }

    /** {@code HGET {taskqueue:chord:<id>}:m body}: kept until the chord's state expires, completed or not. */
    @Override
    public @Nullable String chordBodyTaskId(String chordId) {
        byte[] body = redis.await(redis.commands().hget(keys.chordMeta(chordId), bytes("body")),
                "read the body of chord " + chordId);
        return body == null || body.length == 0 ? null : string(body);
    }

    @Override
    public void closeChord(String chordId) {
        redis.await(redis.commands().zrem(keys.chords(), bytes(chordId)), "close chord " + chordId);
    }

    private static final byte[][] CHORD_STATUS_FIELDS = Stream.of("size", "body", "bodyTask", "created", "updated",
            "failed", "completed").map(RedisBroker::bytes).toArray(byte[][]::new);

    /** The chords not completed, for {@link RedisQueueAdmin#chords}: it reads what the scripts above write. */
    List<ChordStatus> chords(int max) {
        List<byte[]> ids = redis.await(redis.commands().zrange(keys.chords(), 0, max - 1L), "list chords");
        List<CompletableFuture<List<KeyValue<byte[], byte[]>>>> metas = new ArrayList<>();
        List<CompletableFuture<Long>> counts = new ArrayList<>();
        for (byte[] id : ids) {
            // Not the body's spec: it can be large, and operators see the body's first task instead.
            metas.add(redis.commands().hmget(keys.chordMeta(string(id)), CHORD_STATUS_FIELDS).toCompletableFuture());
            counts.add(redis.commands().hlen(keys.chordResults(string(id))).toCompletableFuture());
        }
        List<ChordStatus> chords = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = string(ids.get(i));
            Map<String, String> meta = new HashMap<>();
            redis.await(metas.get(i), "read chord " + id).forEach(field -> field.ifHasValue(
                    value -> meta.put(string(field.getKey()), string(value))));
            long done = redis.await(counts.get(i), "read chord " + id);
            if (meta.isEmpty() || meta.containsKey("completed")) {
                redis.commands().zrem(keys.chords(), ids.get(i)); // expired, or completed by an older version
                continue;
            }
            chords.add(new ChordStatus(id, Math.max(0, RedisValues.count(meta.get("size"))), (int) done,
                    meta.getOrDefault("body", ""), meta.getOrDefault("bodyTask", ""),
                    RedisValues.number(meta.get("created"), 0), RedisValues.number(meta.get("updated"), 0),
                    meta.get("failed")));
        }
        return chords;
    }

    // ------------------------------------------------------------------------------------------ abandoned tasks

    /*
     * KEYS[1..n] records   ARGV[1] ttl ms   ARGV[2] notify channel prefix
     * then 6 per record: id, task name, state, error type, message, stack
     * A record already in a finished state (the task ran after all) is left alone.
     */
    private static final LuaScript ABANDON = new LuaScript("abandon", """
            local now = now_ms()
            for i = 1, #KEYS do
              local b = 2 + (i - 1) * 6
              local state = redis.call('HGET', KEYS[i], 'state')
              if not state or state == 'PENDING' or state == 'SCHEDULED' then
                redis.call('HSET', KEYS[i], 'state', ARGV[b + 3], 'task', ARGV[b + 2],
                  'finished', now, 'error.type', ARGV[b + 4], 'error.message', ARGV[b + 5], 'error.stack', ARGV[b + 6])
                redis.call('PEXPIRE', KEYS[i], ARGV[1])
                notify_waiters(KEYS[i], ARGV[b + 1], ARGV[2])
              end
            end
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public void abandon(List<WorkflowStore.Abandoned> tasks, long ttlMillis) {
        Map<String, List<WorkflowStore.Abandoned>> byQueue = new LinkedHashMap<>();
        tasks.forEach(t -> byQueue.computeIfAbsent(t.queue(), q -> new ArrayList<>()).add(t));
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (Map.Entry<String, List<WorkflowStore.Abandoned>> entry : byQueue.entrySet()) {
            List<WorkflowStore.Abandoned> list = entry.getValue();
            byte[][] k = new byte[list.size()][];
            List<byte[]> a = new ArrayList<>();
            a.add(bytes(Long.toString(ttlMillis)));
            a.add(bytes(keys.notifyChannelPrefix()));
            for (int i = 0; i < list.size(); i++) {
                WorkflowStore.Abandoned t = list.get(i);
                k[i] = keys.record(entry.getKey(), t.taskId());
                a.add(bytes(t.taskId()));
                a.add(bytes(t.taskName()));
                a.add(bytes(t.state().name()));
                a.add(bytes(t.errorType()));
                a.add(bytes(t.errorMessage()));
                a.add(bytes(t.errorStack() == null ? "" : t.errorStack()));
            }
            replies.add(ABANDON.run(redis.commands(), k, a.toArray(byte[][]::new)));
        }
        replies.forEach(reply -> redis.await(reply, "record " + tasks.size() + " abandoned task(s)"));
    }
}
