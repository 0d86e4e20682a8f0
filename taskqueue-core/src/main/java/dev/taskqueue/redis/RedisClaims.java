package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.broker.Delivery;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim path of {@link RedisBroker}: a claim script takes ready entries with {@code XREADGROUP} over a queue's
 * streams (redelivered first, then priority 9 to 0), flags revoked ones and skips paused queues; when nothing is
 * ready, a consumer blocks on {@code XREADGROUP ... BLOCK} on a connection of its own ({@link BlockingReader}),
 * leaving out the queues seen paused ({@link RedisPauses}) and the keys that are not streams.
 */
final class RedisClaims implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisClaims.class);

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;
    private final RedisPauses pauses;
    private final RedisRevocations revocations;
    private final RedisRecovery recovery;
    private final Map<String, BlockingReader> readers = new ConcurrentHashMap<>();
    /** Stream keys the last claims found not to be streams; the blocking read leaves them out. */
    private final Set<String> unreadableStreams = ConcurrentHashMap.newKeySet();

    /** @param recovery where entries a blocking read cannot keep are handed back */
    RedisClaims(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames, RedisPauses pauses,
            RedisRevocations revocations, RedisRecovery recovery) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
        this.pauses = pauses;
        this.revocations = revocations;
        this.recovery = recovery;
        // A paused queue leaves the blocking reads, a resumed one comes back: they are woken to start again.
        pauses.onChange(() -> readers.values().forEach(BlockingReader::unblock));
    }

    /** Creates the queues' consumer groups where missing, and records that the queues are used. */
    void declare(Collection<String> queues) {
        try {
            pauses.listen(); // a worker declares its queues once, as it starts: listen to pauses from then on
        }
        catch (RuntimeException ex) {
            log.debug("Could not subscribe to queue control; pauses take effect at the next claim", ex);
        }
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
        List<CompletableFuture<?>> replies = new ArrayList<>();
        for (String queue : queues) {
            replies.add(DECLARE.run(commands, keys.streams(queue), bytes(RedisKeys.GROUP)));
        }
        for (CompletableFuture<?> reply : replies) {
            redis.await(reply, "declare queues " + queues);
        }
        queueNames.use(queues);
    }

    /*
     * KEYS: the streams of one queue.   ARGV[1] group.
     * Creates the group (from the stream's start, so that nothing added before is skipped) where it is missing.
     * Returns the number of groups created.
     */
    private static final LuaScript DECLARE = new LuaScript("declare", """
            local created = 0
            for _, key in ipairs(KEYS) do
              local r = redis.pcall('XGROUP', 'CREATE', key, ARGV[1], '0', 'MKSTREAM')
              if type(r) ~= 'table' or not r.err then created = created + 1 end
            end
            return created
            """, ScriptOutputType.INTEGER);

    /*
     * KEYS: per queue, its 11 streams in claim order (redelivery, then priority 9 .. 0), its {q}:revoked set and
     *   its {q}:paused flag
     * ARGV[1] group   ARGV[2] consumer   ARGV[3] max messages
     * Returns { a flat list of 3 per stream read from: key index, the XREADGROUP entries as Redis returned them
     *             ({id, {i, <task id>, m, <body>, d, <deliveries>}} each), revoked flags (a list of 1|0 per
     *             entry, or 0 when the queue has no revocations),
     *           key indexes of streams whose group is missing, queue numbers (from 1) with revocations,
     *           queue numbers (from 1) that are paused (nothing is claimed from them),
     *           key indexes of keys that are not streams (written by something else: skipped),
     *           the index of the last stream key examined (those after it were not: the claim was full),
     *           the key index of the stream that claims may read directly ({@link #claimGroup}; 0: none): the first
     *             holding entries, where it filled the claim or no other stream of queues not paused holds any
     *             (once the claim is full, XLEN of the rest until a second is found) }.
     * Every queue's revocations and pause are looked at, also once the claim is full, so that the answer for each
     * queue of the script holds (the views of {@link RedisRevocations} and {@link RedisPauses} take it).
     * Empty streams are skipped with XLEN (cheaper than an empty read); entries are returned as read, not copied
     * field by field. A revoked task is claimed like any other, flagged, so that its worker records it as REVOKED
     * (releasing its keys) without running it.
     */
    private static final LuaScript CLAIM = new LuaScript("claim", """
            local left = tonumber(ARGV[3])
            local out, missing, flagged, paused, unreadable, examined, filled, first, full_at =
              {}, {}, {}, {}, {}, 0, 0, 0, 0
            local per_queue = 13 -- KEYS_PER_QUEUE
            for q = 0, #KEYS / per_queue - 1 do
              local base = q * per_queue
              local revoked = KEYS[base + 12]
              local any_revoked = redis.call('EXISTS', revoked) == 1
              if any_revoked then flagged[#flagged + 1] = q + 1 end
              local streams_to = base + 11
              if redis.call('EXISTS', KEYS[base + 13]) == 1 then
                paused[#paused + 1] = q + 1
                streams_to = 0
              end
              for k = base + 1, streams_to do
                if left <= 0 and filled >= 2 then break end
                local length = redis.pcall('XLEN', KEYS[k])
                if type(length) == 'table' then
                  if left > 0 then unreadable[#unreadable + 1] = k end
                elseif length > 0 then
                  filled = filled + 1
                  if first == 0 then first = k end
                end
                if left > 0 then
                  examined = k
                  if type(length) == 'number' and length > 0 then
                    local res = redis.pcall('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS',
                      KEYS[k], '>')
                    if type(res) == 'table' and res.err then
                      missing[#missing + 1] = k
                    elseif res then
                      local entries = res[1][2]
                      local flags = 0
                      if any_revoked then
                        flags = {}
                        for i, e in ipairs(entries) do
                          flags[i] = redis.call('ZSCORE', revoked, field_value(e[2], 'i') or '') and 1 or 0
                        end
                      end
                      out[#out + 1] = k
                      out[#out + 1] = entries
                      out[#out + 1] = flags
                      left = left - #entries
                      if left <= 0 then full_at = k end
                    end
                  end
                end
              end
            end
            local direct = 0
            if first > 0 and (filled == 1 or full_at == first) then direct = first end
            return { out, missing, flagged, paused, unreadable, examined, direct }
            """, ScriptOutputType.MULTI);

    /** Queues per claim script: enough to find work in one round trip, few enough to keep the script short. */
    private static final int QUEUES_PER_CLAIM = 8;

    /**
     * How long claims read a stream directly once a claim script chose it ({@link #claimGroup}), before the script
     * claims again (it sees keys that are not streams, which reads leave out, become streams again).
     */
    private static final long DIRECT_READS_NANOS = Duration.ofSeconds(1).toNanos();

    /** A claim script's keys per queue: its streams, its revoked set and its pause flag. */
    private static final int KEYS_PER_QUEUE = 13;

    /**
     * The stream that claims whose queues start with {@code queues} (the claim script's, up to the stream's own) read
     * directly, until when (nanoTime), and the keys and arguments of the script behind each read
     * ({@link #AFTER_DIRECT_READ}), built once: it looks at the streams of {@code groupQueues} after the one read.
     */
    private record DirectRead(List<String> queues, Set<String> groupQueues, StreamRef ref, byte[] stream,
            byte[][] lookedAtAfter, byte[][] afterArgs, long until) {

        boolean serves(List<String> group, long now) {
            return now - until < 0 && group.size() >= queues.size()
                    && group.subList(0, queues.size()).equals(queues);
        }

        /** Whether the script behind the read looks at every stream that comes after it in {@code group}. */
        boolean looksAfterAllOf(List<String> group) {
            return group.size() == groupQueues.size() && groupQueues.containsAll(group);
        }
    }

    /**
     * Per consumer and first queue of a claim: the stream its claims read directly, if any. Keyed by the first queue
     * alone, since a worker that weighs its queues tries them in a new order at each claim: a stream of the first
     * queue that fills the claims serves whatever order follows.
     */
    private final Map<String, DirectRead> directReads = new ConcurrentHashMap<>();
    private final LongAdder directReadsSent = new LongAdder();

    /** How many claims read a stream without the claim script so far. */
    long directReads() {
        return directReadsSent.sum();
    }

    /** What {@link dev.taskqueue.broker.Broker#claim} does. */
    List<Delivery> claim(String consumer, List<String> queues, int max) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        List<Delivery> claimed = new ArrayList<>();
        TaskQueueException failure = null;
        // One script covers several queues on standalone Redis; a Cluster needs one per queue (one slot each).
        int groupSize = redis.isCluster() ? 1 : QUEUES_PER_CLAIM;
        for (int from = 0; from < queues.size() && claimed.size() < max; from += groupSize) {
            List<String> group = queues.subList(from, Math.min(queues.size(), from + groupSize));
            try {
                claimed.addAll(claimGroup(consumer, group, max - claimed.size()));
            }
            catch (TaskQueueException ex) {
                // What was claimed is held: it must reach the worker. A failure that is not an outage (a key of the
                // wrong type, say) must not keep the other queues from being claimed either; it is thrown when
                // nothing was claimed, for the worker to report.
                if (claimed.isEmpty() && (failure == null || ex instanceof BrokerUnavailableException)) {
                    failure = ex;
                }
                if (ex instanceof BrokerUnavailableException) {
                    break;
                }
            }
        }
        if (claimed.isEmpty() && failure != null) {
            throw failure;
        }
        return claimed;
    }

    /**
     * Claims from one group of queues. Where a claim script took what it claimed from the first stream of the group
     * holding entries, and that stream either filled the claim or was the only one holding entries (the common cases:
     * a backlog of one priority, or of several queues, drained in turn), the claims of the next second whose queues
     * start as that script's did, up to that stream's queue, read that stream with {@code XREADGROUP} itself, as the
     * blocking read does: Redis answers it without the script's copy of each entry into Lua and back (a third of
     * Redis's time per task when tasks are short). Such a read takes what the script would have taken, as long as no
     * stream before it in claim order holds entries and it fills the claim, or no stream after it holds any. Work
     * arriving in a stream before it ends that: the script claims next, in claim order (what came meanwhile waits one
     * claim at most; nothing read is handed back, so each stream keeps its order). A read falling short while a
     * stream after it may hold work (one does, or the claim's queues are not those of the script that chose it: a
     * worker of more queues than one script covers) ends it too, and the script claims the rest at once.
     */
    private List<Delivery> claimGroup(String consumer, List<String> group, int max) {
        String groupKey = consumer + '\u0000' + group.get(0);
        DirectRead direct = directReads.get(groupKey);
        if (direct != null && direct.serves(group, System.nanoTime())) {
            List<Delivery> read = readDirectly(consumer, group, max, groupKey, direct);
            boolean ended = directReads.get(groupKey) != direct; // where the script is to claim next
            if (read != null && (read.size() >= max || !ended)) {
                return read;
            }
            if (read != null && !read.isEmpty()) { // short, and the script would have gone on: it claims the rest
                List<Delivery> claimed = new ArrayList<>(read);
                try {
                    claimed.addAll(claimByScript(consumer, group, max - read.size(), groupKey));
                }
                catch (TaskQueueException ex) {
                    log.debug("Claiming after a direct read failed; what was read is delivered", ex);
                }
                return claimed;
            }
        }
        return claimByScript(consumer, group, max, groupKey);
    }

    /** The claim script over the group; where it names a stream claims may read directly, they do next. */
    private List<Delivery> claimByScript(String consumer, List<String> group, int max, String groupKey) {
        List<StreamRef> refs = new ArrayList<>();
        List<byte[]> k = new ArrayList<>();
        for (String queue : group) {
            for (String band : keys.bandsInClaimOrder()) {
                refs.add(new StreamRef(queue, band));
                k.add(keys.stream(queue, band));
            }
            refs.add(null);
            k.add(keys.revoked(queue));
            refs.add(null);
            k.add(keys.paused(queue));
        }
        long pauseChangesBefore = pauses.changes();
        long revocationsNotedBefore = revocations.noted();
        List<Object> reply = redis.await(CLAIM.run(redis.commands(), k.toArray(byte[][]::new),
                bytes(RedisKeys.GROUP), bytes(consumer), bytes(Integer.toString(max))), "claim tasks from " + group);
        List<Delivery> claimed = new ArrayList<>();
        List<?> flat = (List<?>) reply.get(0);
        for (int i = 0; i < flat.size(); i += 3) {
            StreamRef ref = refs.get(((Long) flat.get(i)).intValue() - 1);
            List<?> entries = (List<?>) flat.get(i + 1);
            List<?> revoked = flat.get(i + 2) instanceof List<?> flags ? flags : null;
            for (int e = 0; e < entries.size(); e++) {
                List<?> entry = (List<?>) entries.get(e);
                claimed.add(delivery(ref, string(entry.get(0)), (List<?>) entry.get(1),
                        revoked != null && ((Long) revoked.get(e)) == 1L));
            }
        }
        boolean groupsMissing = !((List<?>) reply.get(1)).isEmpty();
        if (groupsMissing) {
            declare(group); // a stream lost its group (keys deleted by hand): recreate, nothing is skipped
        }
        revocations.claimed(group, queuesAt(group, (List<?>) reply.get(2)), revocationsNotedBefore);
        pauses.claimed(group, queuesAt(group, (List<?>) reply.get(3)), pauseChangesBefore);
        List<?> unreadable = (List<?>) reply.get(4);
        seeUnreadable(refs, k, unreadable, ((Long) reply.get(5)).intValue());
        int direct = ((Long) reply.get(6)).intValue();
        if (!groupsMissing && unreadable.isEmpty() && direct > 0) {
            directReads.put(groupKey, directRead(group, refs, k, direct));
        }
        else {
            directReads.remove(groupKey);
        }
        return claimed;
    }

    /**
     * Direct reads of the claim script's key {@code read} (from 1) for the next second, by claims whose queues start
     * with those of {@code group} up to that stream's. The script behind each read looks at each of those queues'
     * revoked set and pause flag (the script's keys that are no stream, in order), then the streams before the one
     * read in claim order, then the group's streams after it (whatever order the queues after its own come in).
     */
    private DirectRead directRead(List<String> group, List<StreamRef> refs, List<byte[]> scriptKeys, int read) {
        int queues = (read - 1) / KEYS_PER_QUEUE + 1;
        List<byte[]> lookedAt = new ArrayList<>();
        List<byte[]> before = new ArrayList<>();
        List<byte[]> after = new ArrayList<>();
        for (int i = 0; i < scriptKeys.size(); i++) {
            if (refs.get(i) == null) {
                if (i < queues * KEYS_PER_QUEUE) { // the pause and revocations of the queues up to the stream's
                    lookedAt.add(scriptKeys.get(i));
                }
            }
            else if (i != read - 1) {
                (i < read - 1 ? before : after).add(scriptKeys.get(i));
            }
        }
        lookedAt.addAll(before);
        lookedAt.addAll(after);
        byte[][] args = { bytes(Integer.toString(queues)), bytes(Integer.toString(before.size())) };
        long until = System.nanoTime() + DIRECT_READS_NANOS;
        return new DirectRead(List.copyOf(group.subList(0, queues)), Set.copyOf(group), refs.get(read - 1),
                scriptKeys.get(read - 1), lookedAt.toArray(byte[][]::new), args, until);
    }

    /*
     * What a direct read asks right behind it. KEYS: per queue up to the one read, its {q}:revoked set and {q}:paused
     *   flag; then the streams before the one read (in claim order), then those after it
     * ARGV[1] the number of queues   ARGV[2] the number of streams before the one read
     * Returns { queue numbers (from 1) with revocations, queue numbers (from 1) that are paused,
     *   whether a stream before the one read holds entries (1|0), whether one after it does (1|0) }.
     */
    private static final LuaScript AFTER_DIRECT_READ = new LuaScript("after-direct-read", """
            local queues = tonumber(ARGV[1])
            local streams_from, after_from = 2 * queues + 1, 2 * queues + 1 + tonumber(ARGV[2])
            local flagged, paused, held = {}, {}, { 0, 0 }
            for q = 1, queues do
              if redis.call('EXISTS', KEYS[2 * q - 1]) == 1 then flagged[#flagged + 1] = q end
              if redis.call('EXISTS', KEYS[2 * q]) == 1 then paused[#paused + 1] = q end
            end
            for k = streams_from, #KEYS do
              local side = k < after_from and 1 or 2
              if held[side] == 0 then
                local length = redis.pcall('XLEN', KEYS[k])
                if type(length) ~= 'number' or length > 0 then held[side] = 1 end
              end
            end
            return { flagged, paused, held[1], held[2] }
            """, ScriptOutputType.MULTI);

    /**
     * One {@code XREADGROUP} of up to {@code max} entries of the stream a claim script chose ({@link #claimGroup}),
     * and right behind it on the same connection ({@link #AFTER_DIRECT_READ}) whether each queue up to the stream's
     * has revocations and is paused, and whether streams before or after it hold entries: what was revoked or paused
     * before the read is seen, as the script sees it (both only grow until they expire or are lifted), and the views
     * of {@link RedisRevocations} and {@link RedisPauses} take the answers as they take a script's. What the read
     * took from a queue paused meanwhile is handed back. Null when the read is refused (a group or a stream gone, a
     * key of another type) or the stream's queue is seen paused: the script claims, and sees why.
     */
    private @Nullable List<Delivery> readDirectly(String consumer, List<String> group, int max, String groupKey,
            DirectRead direct) {
        if (pauses.isPaused(direct.ref().queue()) || unreadableStreams.contains(string(direct.stream()))) {
            directReads.remove(groupKey);
            return null;
        }
        long pauseChangesBefore = pauses.changes();
        long revocationsNotedBefore = revocations.noted();
        RedisClusterAsyncCommands<byte[], byte[]> commands = redis.commands();
        directReadsSent.increment();
        CompletableFuture<List<StreamMessage<byte[], byte[]>>> read = commands.xreadgroup(
                io.lettuce.core.Consumer.from(bytes(RedisKeys.GROUP), bytes(consumer)), XReadArgs.Builder.count(max),
                StreamOffset.lastConsumed(direct.stream())).toCompletableFuture();
        CompletableFuture<List<Object>> after = AFTER_DIRECT_READ.run(commands, direct.lookedAtAfter(),
                direct.afterArgs());
        List<StreamMessage<byte[], byte[]>> messages;
        try {
            messages = redis.await(read, "claim tasks from " + group);
        }
        catch (TaskQueueException ex) {
            if (ex.getCause() instanceof RedisCommandExecutionException refused) {
                directReads.remove(groupKey);
                if (refused.getMessage() != null && refused.getMessage().startsWith("NOGROUP")) {
                    declare(group);
                }
                return null;
            }
            throw ex;
        }
        List<Delivery> deliveries = messages.stream().map(m -> toDelivery(direct.ref(), m)).toList();
        List<Object> answers = redis.await(after, "claim tasks from " + group);
        List<String> lookedAt = direct.queues();
        revocations.claimed(lookedAt, queuesAt(lookedAt, (List<?>) answers.get(0)), revocationsNotedBefore);
        pauses.claimed(lookedAt, queuesAt(lookedAt, (List<?>) answers.get(1)), pauseChangesBefore);
        boolean heldBefore = (Long) answers.get(2) == 1L;
        boolean mayBeHeldAfter = (Long) answers.get(3) == 1L || !direct.looksAfterAllOf(group);
        if (heldBefore || (mayBeHeldAfter && messages.size() < max)) {
            // work the script would have claimed before this stream's, or with it: the script claims next, in order
            directReads.remove(groupKey);
        }
        if (pauses.isPaused(direct.ref().queue())) {
            directReads.remove(groupKey);
            if (!deliveries.isEmpty()) {
                recovery.giveBack(consumer, deliveries);
            }
            return List.of();
        }
        return markIfRevoked(deliveries);
    }

    /** The queues a claim script names by their numbers (from 1) in {@code group}. */
    private static List<String> queuesAt(List<String> group, List<?> numbers) {
        return numbers.stream().map(number -> group.get(((Long) number).intValue() - 1)).toList();
    }

    private record StreamRef(String queue, String band) {
    }

    /**
     * Keeps track of the stream keys of the last claims that are not streams (written by something else): the
     * claim script skips them and the blocking read leaves them out, so that the other streams of their queue, and
     * the other queues, are served. Each is logged as an error when found, and when mended.
     */
    private void seeUnreadable(List<StreamRef> refs, List<byte[]> scriptKeys, List<?> indexes, int examined) {
        Set<String> now = new HashSet<>();
        for (Object index : indexes) {
            now.add(string(scriptKeys.get(((Long) index).intValue() - 1)));
        }
        for (int i = 0; i < examined; i++) {
            String key = string(scriptKeys.get(i));
            if (refs.get(i) == null || pauses.isPaused(refs.get(i).queue())) {
                continue; // not a stream key, or not examined
            }
            if (now.contains(key) && unreadableStreams.add(key)) {
                log.error("Key {} is not a stream (something else wrote it): no task is claimed from it until it is "
                        + "deleted or renamed; the other streams of queue '{}', and the other queues, are claimed",
                        key, refs.get(i).queue());
            }
            else if (!now.contains(key) && unreadableStreams.remove(key)) {
                log.info("Key {} is a stream again: tasks are claimed from it", key);
            }
        }
    }

    /**
     * A claimed entry: its fields are {@code i} (task id), {@code m} (body), {@code d} (deliveries), and {@code r}
     * when it was revoked before it entered the stream (see {@code add_ready} in {@link LuaScript}). Anyone can write
     * to a stream: an entry with a field missing or unreadable is delivered all the same, marked malformed, for its
     * worker to quarantine it alone (one bad entry must not cost the claim of the others). A count too large to be
     * true reads as {@link LuaScript#MAX_COUNT}, so that max-deliveries applies to it.
     */
    private Delivery delivery(StreamRef ref, String entryId, List<?> fields, boolean revoked) {
        String taskId = null;
        byte[] body = null;
        String count = null;
        for (int f = 0; f + 1 < fields.size(); f += 2) {
            byte[] name = (byte[]) fields.get(f);
            if (name.length == 1) {
                switch (name[0]) {
                    case 'i' -> taskId = string(fields.get(f + 1));
                    case 'm' -> body = (byte[]) fields.get(f + 1);
                    case 'd' -> count = string(fields.get(f + 1));
                    case 'r' -> revoked = true;
                    default -> {
                    }
                }
            }
        }
        int deliveries = RedisValues.count(count);
        String problem = taskId == null || taskId.isEmpty() ? "it has no task id (field i)"
                : body == null ? "it has no message (field m)"
                : count == null ? "it has no delivery count (field d)"
                : deliveries < 0 ? "its delivery count (field d) " + RedisValues.shown(count) + " is not a whole number"
                : null;
        return new Delivery(ref.queue(), ref.band(), entryId, taskId == null ? "" : taskId,
                body == null ? new byte[0] : body, Math.max(0, deliveries), revoked, problem == null ? null
                        : "malformed entry " + entryId + " in " + string(keys.stream(ref.queue(), ref.band())) + ": "
                                + problem);
    }

    /** What {@link dev.taskqueue.broker.Broker#awaitAndClaim} does. */
    List<Delivery> awaitAndClaim(String consumer, List<String> queues, int max, Duration timeout) {
        if (max <= 0 || queues.isEmpty()) {
            return List.of();
        }
        BlockingReader reader = readers.computeIfAbsent(consumer, c -> new BlockingReader());
        List<String> waitOn = queues.stream().filter(q -> !pauses.isPaused(q)).toList();
        if (waitOn.isEmpty()) {
            sleepQuietly(Math.min(timeout.toMillis(), 200)); // every queue paused: look again soon
            return List.of();
        }
        if (redis.isCluster() && waitOn.size() > 1) {
            // One blocking read cannot span slots: wait on the queues not paused in turn, briefly each.
            waitOn = List.of(waitOn.get(reader.nextQueue(waitOn.size())));
            timeout = Duration.ofMillis(Math.min(timeout.toMillis(), 100));
        }
        List<StreamOffset<byte[]>> offsets = new ArrayList<>();
        for (String queue : waitOn) {
            for (String band : keys.bandsInClaimOrder()) {
                byte[] stream = keys.stream(queue, band);
                if (!unreadableStreams.contains(string(stream))) {
                    offsets.add(StreamOffset.lastConsumed(stream));
                }
            }
        }
        if (offsets.isEmpty()) {
            sleepQuietly(Math.min(timeout.toMillis(), 200));
            return List.of();
        }
        long pauseChangesBefore = pauses.changes();
        List<byte[]> flags = waitOn.stream().map(keys::paused).toList();
        Waited waited;
        try {
            waited = reader.read(consumer, offsets, max, timeout, flags);
        }
        catch (TaskQueueException ex) {
            if (ex.getCause() instanceof RedisCommandExecutionException rce && rce.getMessage() != null
                    && rce.getMessage().startsWith("NOGROUP")) {
                declare(waitOn);
                return List.of();
            }
            throw ex;
        }
        List<StreamMessage<byte[], byte[]>> messages = waited.messages();
        if (!messages.isEmpty()) {
            seePauses(waitOn, waited, pauseChangesBefore);
        }
        List<Delivery> kept = new ArrayList<>();
        List<Delivery> handBack = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> message : messages) {
            Delivery delivery = toDelivery(message);
            // Never hold more than the free slots (several priority streams can fill at the same instant), nor a
            // task of a queue paused while this read was waiting.
            (kept.size() < max && !pauses.isPaused(delivery.queue()) ? kept : handBack).add(delivery);
        }
        if (!handBack.isEmpty()) {
            recovery.giveBack(consumer, handBack);
        }
        return markIfRevoked(kept);
    }

    /**
     * The blocking read returns entries without the claim script's revocation check: check here (one pipelined
     * {@code ZSCORE} each), but only for queues where revocations may exist (seen by the last claim, made or
     * announced since), to spare the round trip. An entry that entered its stream already revoked carries the flag
     * itself.
     */
    private List<Delivery> markIfRevoked(List<Delivery> deliveries) {
        List<CompletableFuture<Double>> checks = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            checks.add(delivery.revoked() || !revocations.mayHave(delivery.queue()) ? null
                    : redis.commands().zscore(keys.revoked(delivery.queue()), bytes(delivery.taskId()))
                            .toCompletableFuture());
        }
        List<Delivery> marked = new ArrayList<>(deliveries.size());
        for (int i = 0; i < deliveries.size(); i++) {
            CompletableFuture<Double> check = checks.get(i);
            boolean revoked = check != null && redis.await(check, "check a revocation") != null;
            marked.add(revoked ? deliveries.get(i).asRevoked() : deliveries.get(i));
        }
        return marked;
    }

    private Delivery toDelivery(StreamMessage<byte[], byte[]> message) {
        String key = string(message.getStream());
        return toDelivery(new StreamRef(key.substring(keys.prefix().length() + 2, key.indexOf('}')),
                key.substring(key.lastIndexOf(":s:") + 3)), message);
    }

    /** An entry read from {@code ref}'s stream. */
    private Delivery toDelivery(StreamRef ref, StreamMessage<byte[], byte[]> message) {
        List<byte[]> fields = new ArrayList<>();
        message.getBody().forEach((name, value) -> {
            fields.add(name);
            fields.add(value);
        });
        return delivery(ref, message.getId(), fields, false);
    }

    /**
     * What a blocking read returned, and its queues' pause flags as Redis had them right after serving it (read
     * behind it on its connection): a pause made before a task was added is seen, although its announcement (from
     * another instance) may reach this one only after the read returned.
     */
    private record Waited(List<StreamMessage<byte[], byte[]>> messages,
            @Nullable CompletableFuture<List<KeyValue<byte[], byte[]>>> flags) {
    }

    /** Takes the pause flags read behind a blocking read into this instance's view, as a claim's are taken. */
    private void seePauses(List<String> queues, Waited waited, long changesBefore) {
        if (waited.flags() == null) {
            return;
        }
        List<KeyValue<byte[], byte[]>> flags = redis.await(waited.flags(), "read the pause flags of " + queues);
        List<String> paused = new ArrayList<>();
        for (int i = 0; i < flags.size() && i < queues.size(); i++) {
            if (flags.get(i).hasValue()) {
                paused.add(queues.get(i));
            }
        }
        pauses.claimed(queues, paused, changesBefore);
    }

    /** Makes a pending {@link #awaitAndClaim} of this consumer return now. */
    void wakeUp(String consumer) {
        BlockingReader reader = readers.get(consumer);
        if (reader != null) {
            reader.unblock();
        }
    }

    /** A dedicated connection on which one consumer blocks, never the shared one. */
    private final class BlockingReader {

        private @Nullable StatefulConnection<byte[], byte[]> connection;
        private volatile long clientId = -1;
        /** A wake-up asked for before the read was sent: the read must not start, or it would block on. */
        private volatile boolean wakeRequested;
        private int rotation;

        /**
         * Up to {@code max} entries of each stream (more than {@code max} in all only when several had some), and
         * the pause {@code flags} read right behind them on the same connection.
         */
        synchronized Waited read(String consumer, List<StreamOffset<byte[]>> offsets, int max, Duration timeout,
                List<byte[]> flags) {
            if (connection == null || !connection.isOpen()) {
                connection = RedisConnections.replace(connection, redis.dedicated());
                connection.setTimeout(timeout.plus(redis.timeout()));
                if (!redis.isCluster()) {
                    clientId = redis.await(RedisConnections.async(connection).clientId(), "identify a connection");
                }
            }
            if (wakeRequested) {
                wakeRequested = false;
                return new Waited(List.of(), null);
            }
            @SuppressWarnings("unchecked")
            StreamOffset<byte[]>[] streams = offsets.toArray(new StreamOffset[0]);
            RedisClusterAsyncCommands<byte[], byte[]> commands = RedisConnections.async(connection);
            CompletableFuture<List<StreamMessage<byte[], byte[]>>> read = commands.xreadgroup(
                    io.lettuce.core.Consumer.from(bytes(RedisKeys.GROUP), bytes(consumer)),
                    XReadArgs.Builder.block(Math.max(1, timeout.toMillis())).count(max), streams)
                    .toCompletableFuture();
            // Redis runs it right after serving the read: the flags as they were when the entries were handed over
            CompletableFuture<List<KeyValue<byte[], byte[]>>> paused = commands.mget(flags.toArray(byte[][]::new))
                    .toCompletableFuture();
            return new Waited(redis.await(read, "wait for tasks", timeout.plus(redis.timeout())), paused);
        }

        int nextQueue(int size) {
            rotation = (rotation + 1) % size;
            return rotation;
        }

        void unblock() {
            wakeRequested = true; // for a read not sent yet
            long id = clientId;
            if (id >= 0) {
                redis.commands().clientUnblock(id, io.lettuce.core.UnblockType.TIMEOUT); // for a read in progress
            }
        }

        synchronized void close() {
            if (connection != null) {
                if (!RedisConnections.isClosed(connection)) {
                    connection.close(); // even cut off: it would reconnect by itself
                }
                connection = null;
            }
        }
    }

    /** Closes the blocking connection of a consumer that stopped. */
    void forget(String consumer) {
        directReads.keySet().removeIf(key -> key.startsWith(consumer + '\u0000'));
        BlockingReader reader = readers.remove(consumer);
        if (reader != null) {
            reader.close();
        }
    }

    @Override
    public void close() {
        readers.values().forEach(BlockingReader::close);
        readers.clear();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
