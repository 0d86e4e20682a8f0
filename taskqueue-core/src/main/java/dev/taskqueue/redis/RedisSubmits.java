package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.redis.RedisStores.Durability;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.jspecify.annotations.Nullable;

/**
 * The submit path of {@link RedisBroker}: one script per queue stores a batch (a ready task is {@code XADD}ed to its
 * priority's stream, a delayed one goes to {@code {q}:d} with its body in {@code {q}:dp}), then, when replicas must
 * confirm, {@code WAIT} on the connection that stored it. Single submits combined from several threads, when all are
 * of plain tasks (ready now, nothing but their entry), are one {@code XADD} each, in one write. A slice Redis did not
 * store is sent again only where that cannot store a task twice ({@link SubmitRetry}).
 */
final class RedisSubmits implements AutoCloseable {

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final RedisQueueNames queueNames;
    private final Durability durability;
    private final SubmitRetry submitRetry;
    private volatile @Nullable SubmitConnection submitConnection;
    /**
     * Single submits from many threads, up to four batches per queue in flight, the others combined in the next. With
     * one in flight, Redis and Lettuce's event loop were each idle half the time, waiting on callers being woken.
     * Submits/s from 8 threads, alternating jars, medians of 2 runs then of 3: one in flight 40,928, 39,754; two
     * 51,269, 50,484, then 49,286, 47,900; three 53,591, 53,729, then 51,825, 50,176; four 52,588, 57,393, then 59,238,
     * 55,957; eight 47,969, 49,189, with more JVM CPU per submit (19-20 us against 15-16).
     * (Measured when each batch was one script; now that plain messages go as XADDs, two, four, eight and sixteen in
     * flight could not be told apart in two runs each: 40,605-60,761/s, noise.) Beside batches in flight, a submit
     * leaves with another or with the next reply, not alone (Combiner): 3 alternating rounds of 3 runs, 53,547-56,385
     * -> 58,630-61,724/s; with eight in flight instead of four, 59,769-62,444/s in 4 rounds, no clearer.
     */
    private static final int BATCHES_IN_FLIGHT_PER_QUEUE = 4;

    /** Combined single submits of which some are not plain: one script for them all. */
    private final Combiner.Sender<OutgoingMessage, List<Object>> inOneScript = Combiner.Sender.inOneCall(
            this::scriptCombined);

    private final Combiner<OutgoingMessage, List<Object>> singles = new Combiner<>(this::sendCombined,
            message -> message.body().length, BATCHES_IN_FLIGHT_PER_QUEUE);

    RedisSubmits(RedisConnections redis, RedisKeys keys, RedisQueueNames queueNames, Durability durability,
            SubmitRetry submitRetry) {
        this.redis = redis;
        this.keys = keys;
        this.queueNames = queueNames;
        this.durability = durability;
        this.submitRetry = submitRetry;
    }

    /**
     * Stores the messages, one script per queue (per slice of a large batch), a few in flight at a time.
     * A slice that Redis did not store is sent again as {@link SubmitRetry} allows, the others are not: no attempt
     * stores a message twice. Returns once every slice is stored (and, with {@link Durability}, replicated).
     */
    List<SubmitResult> submit(List<OutgoingMessage> messages) {
        String what = "store " + messages.size() + " task(s)";
        SubmitResult[] results = new SubmitResult[messages.size()];
        List<List<Integer>> unstored = slices(messages);
        long firstAttempt = System.nanoTime();
        SubmitConnection replicated = null;
        long connectedAtFirstStore = -1;
        List<StatefulConnection<byte[], byte[]>> storedOn = new ArrayList<>();
        for (int attempt = 1; !unstored.isEmpty(); attempt++) {
            Map<List<Integer>, RuntimeException> failed;
            try {
                long connectedBefore = 0;
                if (durability.replicas() > 0) {
                    replicated = submitConnection();
                    connectedBefore = replicated.connections.get();
                }
                failed = store(replicated, storedOn, unstored, messages, results, what);
                if (replicated != null && connectedAtFirstStore < 0 && failed.size() < unstored.size()) {
                    connectedAtFirstStore = connectedBefore;
                }
            }
            catch (BrokerUnavailableException ex) { // no connection could be made: nothing was sent
                failed = new LinkedHashMap<>();
                for (List<Integer> slice : unstored) {
                    failed.put(slice, ex);
                }
            }
            if (!failed.isEmpty()) {
                beforeNextAttempt(failed, messages, attempt, firstAttempt);
            }
            unstored = List.copyOf(failed.keySet());
        }
        if (replicated != null) {
            awaitReplicas(storedOn);
            // WAIT counts the replicas that have this connection's last write. Lettuce reconnects by itself and sends
            // a command again on the new connection, where WAIT has no write to wait for and answers at once: after a
            // failover (Sentinel reconnects clients of the demoted master to the new one, which it now replicates)
            // that answer would confirm tasks stored only on the old master, which its resync then erases. A
            // reconnection since the first tasks were stored therefore confirms nothing.
            if (replicated.connections.get() != connectedAtFirstStore) {
                throw new ReplicationException(0, durability.replicas(), durability.timeout().toMillis());
            }
        }
        return List.of(results);
    }

    /**
     * Waits before the failed slices are sent again, or throws. Sending a slice again is safe when it cannot store a
     * task twice: Redis surely did not run its script, or every task in it has a caller-chosen id (which the script
     * stores once). The failure reported is the worst: a refusal for good, else one not safe to send again.
     */
    private void beforeNextAttempt(Map<List<Integer>, RuntimeException> failed, List<OutgoingMessage> messages,
            int attempt, long firstAttempt) {
        RuntimeException failure = null;
        int worst = Integer.MAX_VALUE;
        boolean safe = true;
        int unstored = 0;
        for (Map.Entry<List<Integer>, RuntimeException> slice : failed.entrySet()) {
            boolean sliceSafe = RedisConnections.surelyNotRun(slice.getValue())
                    || slice.getKey().stream().allMatch(i -> messages.get(i).deduplicate());
            int rank = !(slice.getValue() instanceof BrokerUnavailableException) ? 0 : sliceSafe ? 2 : 1;
            if (rank < worst) {
                worst = rank;
                failure = slice.getValue();
            }
            safe &= sliceSafe;
            unstored += slice.getKey().size();
        }
        submitRetry.beforeNextAttempt("store " + unstored + " of " + messages.size() + " task(s)", attempt,
                firstAttempt, failure, safe);
    }

    /** The positions of the messages, by queue, in slices: one script does not hold Redis for long. */
    private static List<List<Integer>> slices(List<OutgoingMessage> messages) {
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            byQueue.computeIfAbsent(messages.get(i).queue(), q -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> slices = new ArrayList<>();
        for (List<Integer> indexes : byQueue.values()) {
            for (int from = 0; from < indexes.size(); from += SUBMIT_SLICE) {
                slices.add(indexes.subList(from, Math.min(indexes.size(), from + SUBMIT_SLICE)));
            }
        }
        return slices;
    }

    /**
     * One attempt: sends each slice's script, at most {@link #SLICES_IN_FLIGHT} awaiting their replies. Fills in the
     * results of the slices Redis stored; returns the failure of each other slice (one that could not be sent too).
     *
     * @param replicated the connection of submits that replicas must confirm, or null (then the shared one)
     * @param storedOn the connections that scripts went on, for their {@code WAIT}s
     */
    private Map<List<Integer>, RuntimeException> store(@Nullable SubmitConnection replicated,
            List<StatefulConnection<byte[], byte[]>> storedOn, List<List<Integer>> slices,
            List<OutgoingMessage> messages, SubmitResult[] results, String what) {
        Map<List<Integer>, RuntimeException> failed = new LinkedHashMap<>();
        ArrayDeque<SentSlice> inFlight = new ArrayDeque<>();
        BrokerUnavailableException unreachable = null;
        for (List<Integer> slice : slices) {
            if (unreachable != null) { // not sent: each would wait for a connection again
                failed.put(slice, unreachable);
                continue;
            }
            if (inFlight.size() == SLICES_IN_FLIGHT) {
                collect(inFlight.removeFirst(), messages, results, failed, what);
            }
            try {
                inFlight.addLast(new SentSlice(slice, send(replicated, storedOn, slice, messages)));
            }
            catch (BrokerUnavailableException notSent) { // no connection: this slice and the next wait for the retry
                unreachable = notSent;
                failed.put(slice, notSent);
            }
        }
        while (!inFlight.isEmpty()) {
            collect(inFlight.removeFirst(), messages, results, failed, what);
        }
        return failed;
    }

    /** A slice's script, sent: its reply to come. */
    private record SentSlice(List<Integer> slice, CompletableFuture<List<Object>> reply) {
    }

    /** Sends one slice's script. */
    private CompletableFuture<List<Object>> send(@Nullable SubmitConnection replicated,
            List<StatefulConnection<byte[], byte[]>> storedOn, List<Integer> slice, List<OutgoingMessage> messages) {
        String queue = messages.get(slice.get(0)).queue();
        CompletableFuture<List<Object>> reply;
        if (replicated != null) { // on the connection whose WAIT confirms them
            StatefulConnection<byte[], byte[]> connection = replicated.storing(keys.delayed(queue));
            if (!storedOn.contains(connection)) {
                storedOn.add(connection);
            }
            reply = submitScript(RedisConnections.async(connection), queue, slice, messages);
        }
        else if (messages.size() == 1) {
            reply = singles.submit(queue, messages.get(0)); // with other threads' single submits to it
        }
        else {
            reply = submitScript(redis.commands(), queue, slice, messages);
        }
        queueNames.submittedTo(queue); // not in the submit script: another slot
        return reply;
    }

    /** Awaits a slice's reply: the results of its messages, or its failure. */
    private void collect(SentSlice sent, List<OutgoingMessage> messages, SubmitResult[] results,
            Map<List<Integer>, RuntimeException> failed, String what) {
        List<Integer> slice = sent.slice();
        try {
            List<Object> reply = awaitStored(sent.reply(), what);
            for (int i = 0; i < slice.size(); i++) {
                int outcome = ((Long) reply.get(2 * i)).intValue();
                if (outcome == REFUSED) {
                    throw refused(messages.get(slice.get(i)), string(reply.get(2 * i + 1)));
                }
                results[slice.get(i)] = new SubmitResult(SUBMIT_OUTCOMES[outcome], string(reply.get(2 * i + 1)));
            }
        }
        catch (TaskQueueException ex) {
            failed.put(slice, ex);
        }
    }

    private List<Object> awaitStored(CompletableFuture<List<Object>> reply, String what) {
        try {
            return redis.await(reply, what);
        }
        catch (TaskQueueException ex) {
            // With replica acknowledgement on a Cluster, scripts go to the node the client believes serves the slot,
            // which does not follow redirections: MOVED or ASK means the slot moved (a failover, a resharding).
            if (ex.getCause() instanceof RedisCommandExecutionException refused && refused.getMessage() != null
                    && (refused.getMessage().startsWith("MOVED") || refused.getMessage().startsWith("ASK"))) {
                redis.refreshTopology();
                throw redis.unavailable(what + " on the node that served their queue", refused);
            }
            throw ex;
        }
    }

    /** {@code WAIT} on every connection that stored tasks: each must have the replicas asked for. */
    private void awaitReplicas(List<StatefulConnection<byte[], byte[]>> storedOn) {
        List<CompletableFuture<Long>> waits = new ArrayList<>();
        for (StatefulConnection<byte[], byte[]> connection : storedOn) {
            waits.add(RedisConnections.async(connection).waitForReplication(durability.replicas(),
                    durability.timeout().toMillis()).toCompletableFuture());
        }
        for (CompletableFuture<Long> wait : waits) {
            long acknowledged;
            try {
                acknowledged = redis.await(wait, "wait for replicas", durability.timeout().plus(redis.timeout()));
            }
            catch (TaskQueueException ex) {
                // The tasks are stored, unconfirmed: WAIT timed out, its connection was cut, or the master refused it
                // (UNBLOCKED: it turned into a replica during the wait, as a Cluster's old master does in a failover).
                ReplicationException unconfirmed = new ReplicationException(0, durability.replicas(),
                        durability.timeout().toMillis());
                unconfirmed.initCause(ex);
                throw unconfirmed;
            }
            if (acknowledged < durability.replicas()) {
                throw new ReplicationException((int) acknowledged, durability.replicas(),
                        durability.timeout().toMillis());
            }
        }
    }

    /**
     * The connection submits go on when replicas must acknowledge them: a dedicated one, so that {@code WAIT} covers
     * exactly the submits and blocks neither the worker's claims nor its acknowledgements. It counts the times Lettuce
     * connected it again.
     */
    private final class SubmitConnection implements RedisConnectionStateListener {

        final StatefulConnection<byte[], byte[]> connection;
        final AtomicLong connections = new AtomicLong();
        private final Set<StatefulConnection<?, ?>> watched = ConcurrentHashMap.newKeySet();

        SubmitConnection(StatefulConnection<byte[], byte[]> connection) {
            this.connection = connection;
            watch(connection);
        }

        /**
         * The connection that stores the tasks of the queue of {@code key}, and must then run their {@code WAIT}. On a
         * Cluster, the one to the master of the queue's slot: a command without keys, such as {@code WAIT}, would go
         * to whichever node the client picks, and count that node's replicas.
         */
        StatefulConnection<byte[], byte[]> storing(byte[] key) {
            if (!(connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster)) {
                return connection;
            }
            int slot = SlotHash.getSlot(key);
            RedisClusterNode master = cluster.getPartitions().getMasterBySlot(slot);
            if (master == null) {
                redis.refreshTopology();
                throw redis.unavailable("store tasks", new IllegalStateException("no node serves slot " + slot));
            }
            try {
                StatefulConnection<byte[], byte[]> node = cluster.getConnection(master.getUri().getHost(),
                        master.getUri().getPort());
                watch(node);
                return node;
            }
            catch (RuntimeException ex) {
                throw redis.unavailable("connect to the node that serves slot " + slot, ex);
            }
        }

        private void watch(StatefulConnection<?, ?> watchedConnection) {
            if (watched.add(watchedConnection)) {
                watchedConnection.addListener(this); // once connected: only reconnections count
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler) {
            connections.incrementAndGet(); // on the new channel's thread, before any reply it reads
        }
    }

    private SubmitConnection submitConnection() {
        SubmitConnection current = submitConnection;
        if (current == null || !current.connection.isOpen()) {
            synchronized (this) {
                current = submitConnection;
                if (current == null || !current.connection.isOpen()) {
                    current = new SubmitConnection(RedisConnections.replace(current == null ? null
                            : current.connection, redis.dedicated()));
                    submitConnection = current;
                }
            }
        }
        return current;
    }

    /** The submit script's outcome codes, by value. */
    private static final SubmitResult.Outcome[] SUBMIT_OUTCOMES = { SubmitResult.Outcome.DUPLICATE,
            SubmitResult.Outcome.ACCEPTED, SubmitResult.Outcome.NOT_UNIQUE, SubmitResult.Outcome.DEBOUNCED };

    private static final int SUBMIT_SLICE = 500;

    /**
     * Slices of one submission awaiting their replies at most: Redis runs one while the next is sent, and what other
     * threads send on the shared connection meanwhile (a worker's claims and acknowledgements, other submits) waits
     * behind two scripts, not behind the whole submission. With every slice sent at once, the chord of 50,000 (100
     * slices) held its own worker's claims for the whole of its submit, 0.4 s.
     */
    private static final int SLICES_IN_FLIGHT = 2;

    /** The submit script's outcome for a message whose commands Redis refused (the others of its script are kept). */
    private static final int REFUSED = 4;

    private static TaskQueueException refused(OutgoingMessage message, String error) {
        return new TaskQueueException("Redis refused to store task " + message.taskName() + " [" + message.id()
                + "] in queue '" + message.queue() + "': " + error + ". A key of the queue holds a value of another "
                + "type than taskqueue writes there (written by something else?): remove it, then submit this task "
                + "again; the other tasks of the same call that were not refused are stored");
    }

    /**
     * Combined single submits to one queue, each message's two reply elements (outcome, id) as the script gives them.
     * When all are plain (the common single submit), they go as one {@code XADD} each, written together: the script
     * costs Redis about 29,000 instructions a call besides 24,000 a message, where most calls carry one or two.
     */
    private List<CompletableFuture<List<Object>>> sendCombined(String queue, List<OutgoingMessage> messages) {
        if (!messages.stream().allMatch(RedisSubmits::plain)) {
            return inOneScript.send(queue, messages);
        }
        List<AsyncCommand<byte[], byte[], String>> adds = new ArrayList<>(messages.size());
        for (OutgoingMessage m : messages) {
            adds.add(addPlain(queue, m));
        }
        redis.dispatchFromAnyThread(adds);
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            OutgoingMessage m = messages.get(i);
            replies.add(adds.get(i).handle((entry, failure) -> plainReply(queue, m, entry, failure))
                    .thenCompose(reply -> reply));
        }
        return replies;
    }

    private static final byte[] NOMKSTREAM = bytes("NOMKSTREAM");
    private static final byte[] NEW_ENTRY = bytes("*");
    private static final byte[] ID = bytes("i");
    private static final byte[] MESSAGE = bytes("m");
    private static final byte[] DELIVERIES = bytes("d");
    private static final byte[] NO_DELIVERIES = bytes("0");

    /**
     * {@code XADD stream NOMKSTREAM * i <id> m <body> d 0}: the entry the script's plain form adds, if its stream is
     * there (else the script makes it, with its consumer group).
     */
    private AsyncCommand<byte[], byte[], String> addPlain(String queue, OutgoingMessage m) {
        CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE)
                .addKey(keys.stream(queue, Integer.toString(m.priority()))).add(NOMKSTREAM).add(NEW_ENTRY)
                .add(ID).add(bytes(m.id())).add(MESSAGE).add(m.body()).add(DELIVERIES).add(NO_DELIVERIES);
        return new AsyncCommand<>(new Command<>(CommandType.XADD, new StatusOutput<>(ByteArrayCodec.INSTANCE), args));
    }

    /**
     * A plain message's reply as the script gives it: stored; refused by a key of the wrong type; or, its stream not
     * there yet, stored by the script, which makes the stream and its consumer group. Any other error is its own.
     */
    private CompletableFuture<List<Object>> plainReply(String queue, OutgoingMessage m, @Nullable String entry,
            @Nullable Throwable failure) {
        if (failure != null) {
            return failure instanceof RedisCommandExecutionException refused && refused.getMessage() != null
                    && refused.getMessage().startsWith("WRONGTYPE")
                            ? CompletableFuture.completedFuture(List.of((long) REFUSED, bytes(refused.getMessage())))
                            : CompletableFuture.failedFuture(failure);
        }
        if (entry == null) {
            return redis.sendFromAnyThread(commands -> submitScript(commands, queue, List.of(0), List.of(m)));
        }
        return CompletableFuture.completedFuture(List.of(1L, bytes(m.id())));
    }

    /** Combined single submits to one queue in one script: each message's two reply elements. */
    private CompletableFuture<List<List<Object>>> scriptCombined(String queue, List<OutgoingMessage> messages) {
        List<Integer> all = IntStream.range(0, messages.size()).boxed().toList();
        CompletableFuture<List<Object>> reply = redis.sendFromAnyThread(commands -> submitScript(commands, queue, all,
                messages));
        return reply.thenApply(stored -> {
            List<List<Object>> each = new ArrayList<>(messages.size());
            for (int i = 0; 2 * i + 1 < stored.size(); i++) {
                each.add(List.of(stored.get(2 * i), stored.get(2 * i + 1)));
            }
            return each;
        });
    }

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3] {q}:revoked   then per message, as its letter in ARGV[4] says:
     *   P (plain): its priority's stream {q}:s:<p>
     *   R: its priority's stream, its record {q}:t:<id>
     *   M: its priority's stream, its record {q}:t:<id>, its uniqueness key {q}:u:<key> ({q}:u:- when none)
     * ARGV[1] group   ARGV[2] wake channel   ARGV[3] queue name   ARGV[4] one letter per message, P, R or M
     * then per message, as its letter says:
     *   P (ready now, nothing but the entry: no record, no uniqueness, no parent): id, body
     *   R (ready now, with a record that deduplicates it, no uniqueness: a workflow step, an id of the caller's):
     *      id, body, task name, record ttl ms, workflow parent id ('' = none)
     *   M: id, priority digit, body, delay ms, due epoch ms ('' = none), deduplicate '1'|'0', task name,
     *      record ttl ms, unique mode ('' | U until finished | W window | D debounce), unique window ms,
     *      unique key ('' = none), workflow parent id ('' = none)
     *   (each argument costs Redis about 1,000 instructions, the 15 of a message in M form a third of its storing;
     *   a chord member in R form costs 56,100 against 60,700 in M form)
     * Returns 2 per message: outcome (1 stored, 0 duplicate id, 2 not unique, 3 debounced, 4 refused) and the id of
     * the task that represents the message (its own, or the one it collapsed into), or for 4 Redis's error.
     * Each message is stored under pcall: a key of the wrong type (written by something else), or any error once a
     * message was stored, refuses that message alone, and the others, perhaps other callers' (Combiner), are
     * stored and told so; an error before anything was stored (a state of Redis's: read-only, too few replicas, out
     * of memory, all refused at the first write) fails the script as before, to be sent again.
     * A delayed message that became the earliest of its queue is announced on the wake channel. A message stored
     * with a caller-chosen id forgets a revocation of that id made when no queue had it: it is a new task.
     */
    private static final LuaScript SUBMIT = new LuaScript("submit", """
            -- The clock only when a message needs it (a delay, a due time, a record, a debounce): TIME from a script
            -- costs about 11,000 instructions, a third of what storing a plain message does
            local clock, clock_text, revoked
            local function now()
              if not clock then clock = now_ms() end
              return clock
            end
            local out = {}
            local announce = false
            local wrote = false -- once a message is stored, an error is that message's alone
            -- a record written at submit: what a waiting handle, a dashboard and a duplicate's submit read
            local function keep_record(record, id, state, name, ttl, parent)
              -- a number passed to redis.call is written with %.17g, a slow path of printf: the time is written once,
              -- as the integer it is
              if not clock_text then clock_text = string.format('%d', now()) end
              if parent == '' then
                redis.call('HSET', record, 'state', state, 'task', name, 'submitted', clock_text)
              else
                redis.call('HSET', record, 'state', state, 'task', name, 'submitted', clock_text, 'parent', parent)
              end
              redis.call('PEXPIRE', record, ttl)
              -- revocations of ids no queue had are rare: one look for their set per call, not a ZREM per message
              if revoked == nil then revoked = redis.call('EXISTS', KEYS[3]) == 1 end
              if revoked then redis.call('ZREM', KEYS[3], id) end
            end
            local P, R = 80, 82 -- the forms' letters, as bytes
            -- the message in form 'form' whose arguments start at ARGV[b + 1] and keys at KEYS[k]
            local function store(form, b, k)
              if form == P then
                add_ready(KEYS[k], ARGV[1], ARGV[b + 1], ARGV[b + 2], '0', false)
                return 1, ARGV[b + 1]
              end
              if form == R then
                local id, record = ARGV[b + 1], KEYS[k + 1]
                if redis.call('HEXISTS', record, 'state') == 1 then return 0, id end
                add_ready(KEYS[k], ARGV[1], id, ARGV[b + 2], '0', false)
                keep_record(record, id, 'PENDING', ARGV[b + 3], ARGV[b + 4], ARGV[b + 5])
                return 1, id
              end
              local id, prio, body, delay = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
              local due, dedupe, name, ttl = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
              local umode, ukey = ARGV[b + 9], ARGV[b + 11]
              local stream, record, unique = KEYS[k], KEYS[k + 1], KEYS[k + 2]
              local at -- when it is due; nil: now
              if due ~= '' then at = tonumber(due) elseif delay ~= '0' then at = now() + tonumber(delay) end
              local outcome, winner = 1, id
              if dedupe == '1' and redis.call('HEXISTS', record, 'state') == 1 then
                outcome = 0
              elseif ukey ~= '' then
                local uwindow = tonumber(ARGV[b + 10])
                local holder = redis.call('GET', unique)
                if umode == 'D' and holder and redis.call('HEXISTS', KEYS[2], holder) == 1 then
                  -- Debounce: the pending task takes the newest arguments and waits its window again.
                  redis.call('HSET', KEYS[2], holder, prio .. body)
                  redis.call('ZADD', KEYS[1], now() + uwindow, holder)
                  redis.call('PEXPIRE', unique, uwindow + tonumber(ttl))
                  outcome, winner = 3, holder
                elseif umode ~= 'D' and holder then
                  outcome, winner = 2, holder
                else
                  local keep = uwindow
                  if umode == 'D' then keep = uwindow + tonumber(ttl) end
                  redis.call('SET', unique, id, 'PX', keep)
                end
              end
              if outcome == 1 then
                local state = 'PENDING'
                if at and at > now() then
                  state = 'SCHEDULED'
                  redis.call('HSET', KEYS[2], id, prio .. body)
                  redis.call('ZADD', KEYS[1], at, id)
                  if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == id then announce = true end
                else
                  add_ready(stream, ARGV[1], id, body, '0', false)
                end
                if dedupe == '1' then keep_record(record, id, state, name, ttl, ARGV[b + 12]) end
              end
              return outcome, winner
            end
            local forms, b, k = ARGV[4], 4, 4
            for i = 1, #forms do
              local form = string.byte(forms, i)
              local ok, outcome, winner = pcall(store, form, b, k)
              if not ok then
                local err = type(outcome) == 'table' and outcome.err or tostring(outcome)
                -- Redis's own state (READONLY, NOREPLICAS, OOM) refuses the first write: nothing is stored yet, and
                -- the script fails for every message alike, to be sent again
                if not wrote and string.sub(err, 1, 9) ~= 'WRONGTYPE' then return redis.error_reply(err) end
                -- a uniqueness key it claimed names a task that is not stored: free it for the next submit
                local unique = form ~= P and form ~= R and KEYS[k + 2]
                if unique and redis.pcall('GET', unique) == ARGV[b + 1] then redis.call('DEL', unique) end
                outcome, winner = 4, err
              elseif outcome == 1 or outcome == 3 then
                wrote = true
              end
              out[2 * i - 1] = outcome
              out[2 * i] = winner
              if form == P then b, k = b + 2, k + 1
              elseif form == R then b, k = b + 5, k + 2
              else b, k = b + 12, k + 3 end
            end
            if announce then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
            return out
            """, ScriptOutputType.MULTI);

    /**
     * Sends the SUBMIT script for {@code slice} of {@code messages}: each message's form, keys and arguments are
     * written in one pass, in the order the script reads them.
     */
    private CompletableFuture<List<Object>> submitScript(RedisClusterAsyncCommands<byte[], byte[]> commands,
            String queue, List<Integer> slice, List<OutgoingMessage> messages) {
        List<byte[]> k = new ArrayList<>(3 + 3 * slice.size());
        k.add(keys.delayed(queue));
        k.add(keys.delayedPayloads(queue));
        k.add(keys.revoked(queue));
        List<byte[]> a = new ArrayList<>(4 + 12 * slice.size());
        a.add(bytes(RedisKeys.GROUP));
        a.add(bytes(keys.wakeChannel()));
        a.add(bytes(queue));
        byte[] forms = new byte[slice.size()];
        a.add(forms);
        for (int i = 0; i < slice.size(); i++) {
            OutgoingMessage m = messages.get(slice.get(i));
            k.add(keys.stream(queue, Integer.toString(m.priority())));
            a.add(bytes(m.id()));
            if (plain(m)) {
                forms[i] = 'P';
                a.add(m.body());
                continue;
            }
            k.add(keys.record(queue, m.id()));
            if (readyWithRecord(m)) {
                forms[i] = 'R';
                a.add(m.body());
                a.add(bytes(m.taskName()));
                a.add(bytes(Long.toString(m.recordTtlMillis())));
                a.add(bytes(m.parentId() == null ? "" : m.parentId()));
                continue;
            }
            forms[i] = 'M';
            OutgoingMessage.UniqueClaim unique = m.unique();
            k.add(keys.unique(queue, unique == null ? null : unique.key()));
            a.add(bytes(Integer.toString(m.priority())));
            a.add(m.body());
            a.add(bytes(Long.toString(m.delayMillis())));
            a.add(bytes(m.dueAtMillis() == null ? "" : Long.toString(m.dueAtMillis())));
            a.add(bytes(m.deduplicate() ? "1" : "0"));
            a.add(bytes(m.taskName()));
            a.add(bytes(Long.toString(m.recordTtlMillis())));
            a.add(bytes(unique == null ? "" : switch (unique.mode()) {
                case UNTIL_FINISHED -> "U";
                case WINDOW -> "W";
                case DEBOUNCE -> "D";
            }));
            a.add(bytes(unique == null ? "0" : Long.toString(unique.windowMillis())));
            a.add(bytes(unique == null ? "" : unique.key()));
            a.add(bytes(m.parentId() == null ? "" : m.parentId()));
        }
        return SUBMIT.run(commands, k.toArray(byte[][]::new), a.toArray(byte[][]::new));
    }

    /**
     * Whether a message goes in the SUBMIT script's plain form: ready now, with nothing besides its entry (no record,
     * no uniqueness, no workflow parent), it needs only its id, its body and its stream.
     */
    private static boolean plain(OutgoingMessage m) {
        return readyNow(m) && !m.deduplicate() && m.unique() == null && m.parentId() == null;
    }

    /**
     * Whether a message goes in the SUBMIT script's record form: ready now, deduplicated by its record (a workflow
     * step, an id of the caller's) and not unique by a key, it needs its record's fields but no delay or uniqueness.
     */
    private static boolean readyWithRecord(OutgoingMessage m) {
        return readyNow(m) && m.deduplicate() && m.unique() == null;
    }

    private static boolean readyNow(OutgoingMessage m) {
        return m.delayMillis() == 0 && m.dueAtMillis() == null;
    }

    /** Closes the connection of submits that replicas confirm, if one was opened. */
    @Override
    public void close() {
        SubmitConnection submits = submitConnection;
        if (submits != null && !RedisConnections.isClosed(submits.connection)) {
            submits.connection.close(); // even cut off: it would reconnect by itself
        }
    }
}
