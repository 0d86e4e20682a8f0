package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.internal.StoredText;
import dev.taskqueue.redis.RedisStores.DeadLetterPolicy;
import io.lettuce.core.ScriptOutputType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records outcomes and acknowledges tasks, a batch per queue in one script, each task atomically.
 *
 * <p>At least once: a task is acknowledged only after it finished, and its outcome is recorded in the same atomic
 * step. It is worse to lose a task than to run it twice. One outcome per task: {@code XACK} answers 0 for an entry
 * that is no longer pending (its lease was taken over), and then nothing of the outcome is written.
 */
final class RedisOutcomes {

    private static final Logger log = LoggerFactory.getLogger(RedisOutcomes.class);

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final DeadLetterPolicy deadLetters;

    RedisOutcomes(RedisConnections redis, RedisKeys keys, DeadLetterPolicy deadLetters) {
        this.redis = redis;
        this.keys = keys;
        this.deadLetters = deadLetters;
    }

    /**
     * Lua: {@code delete_acknowledged(stream, group, entries)} deletes entries just acknowledged, given in the stream's
     * order. A group reads its stream in order, so every entry below the oldest one still pending was delivered and,
     * no longer pending, acknowledged; and acknowledged entries are deleted. Those below it go by one exact trim of the
     * stream's head ({@code XTRIM MINID}; with none pending, the bound is the entry after the last one acknowledged),
     * which walks the head once: an {@code XDEL} seeks and scans its entry's node and rewrites the node's counts, for
     * each entry, and was a third of Redis's time in a drain of fire-and-forget tasks. The entries at or after the
     * oldest pending one (a task claimed before them still runs) are deleted one by one.
     */
    private static final String DELETE_ACKNOWLEDGED = """
            local function entry_parts(entry)
              local ms, seq = string.match(entry, '^(%d+)-(%d+)$')
              return tonumber(ms), tonumber(seq), ms, seq
            end
            local function delete_acknowledged(stream, group, entries)
              local n = #entries
              if n == 0 then return end
              local oldest = redis.call('XPENDING', stream, group)[2]
              local trimmed = n -- entries[1..trimmed] lie below the trim's bound
              if oldest then
                local oms, oseq = entry_parts(oldest)
                while trimmed > 0 do
                  local ms, seq = entry_parts(entries[trimmed])
                  if ms < oms or (ms == oms and seq < oseq) then break end
                  trimmed = trimmed - 1
                end
              else
                local _, seq, ms_text, seq_text = entry_parts(entries[n])
                -- a sequence beyond a double's whole numbers (never one Redis generates) is deleted the slow way
                if #seq_text <= 15 then oldest = ms_text .. '-' .. string.format('%d', seq + 1) else trimmed = 0 end
              end
              if trimmed > 0 then redis.call('XTRIM', stream, 'MINID', oldest) end
              if trimmed < n then redis.call('XDEL', stream, unpack(entries, trimmed + 1, n)) end
            end
            """;

    /*
     * KEYS[1] {q}:dead   KEYS[2] {q}:d   KEYS[3] {q}:dp   KEYS[4] {q}:throughput   KEYS[5] {q}:retrying
     * KEYS[6] {q}:done   KEYS[7] {q}:failures
     *   then streams, records, unique keys, permit pairs ({q}:c:<key>, {q}:cw:<key>) and attempts lists
     *   ({q}:a:<id>) as the outcomes reference them by index.
     * ARGV[1] group   ARGV[2] worker id   ARGV[3] notify channel prefix   ARGV[4] dead letters max length
     * ARGV[5] dead letters max age ms   ARGV[6] wake channel   ARGV[7] queue name
     * ARGV[8] bytes kept of a quarantined message (the rest is replaced by a marker with its size)
     * ARGV[9] finished tasks kept in {q}:done   ARGV[10] failures kept in {q}:failures   ARGV[11] their max age ms
     * ARGV[12] bytes kept of an error message in {q}:failures   ARGV[13] attempts kept per task
     * ARGV[14..] one outcome after another: its kind's letter, then the fields of its kind's OutcomeLayout.Layout,
     *   which the script reads into its locals (kind, s, entry, id, r, ttl, name, result, etype, emsg, estack,
     *   attempt, reason, prio, body, delay, u, p, targs, tparent, tctx, tran, tsub) through OutcomeLayout.LUA_READER:
     *   the layout is written once, for the Java that writes it and the Lua that reads it. A REPEATED outcome
     *   leaves out the stream, TTL, task name, attempt, context and record: the reader takes them from the outcome
     *   before it (the record's index plus one), which it keeps in the locals of OutcomeLayout.LUA_READER_STATE.
     * Returns one integer per outcome: 1 recorded, 0 refused (the entry was no longer pending: the lease was lost).
     * Acknowledged entries are deleted by delete_acknowledged ({@link #DELETE_ACKNOWLEDGED}; each stream's outcomes
     * come in the stream's order). Failures go to the dead letters (capped by length and age) with their deliveries
     * (the entry's count of earlier ones, plus this one; the record keeps the dead letter's id in 'dead', so that a
     * dashboard can requeue it), retries to the delayed set; released permits wake the oldest task waiting for one.
     * A success clears the error of an earlier attempt (or of a revocation that let the run finish) from the record.
     * For the dashboard ({@link RedisQueueBrowser}): the tasks with a record that finished go to {q}:done, one entry
     * per script (t: [[ids], [names], [states]] in JSON, oldest first; {@link RedisQueueBrowser} lists them); a failed
     * attempt (retried, dead or quarantined) to {q}:failures, with its dead letter's id; an attempt that did not
     * succeed to the task's attempts list (as JSON); a retry's id to {q}:retrying beside {q}:d.
     */
    private static final LuaScript ACKNOWLEDGE = new LuaScript("acknowledge", StoredText.LUA_CUT + DELETE_ACKNOWLEDGED
            + """
            local now = now_ms()
            -- A number passed to redis.call is written with %.17g, a slow path of printf: the times a success
            -- stores are written here, once, as the integers they are
            local now_text = string.format('%d', now)
            local group, worker = ARGV[1], ARGV[2]
            local out, deletions = {}, {}
            -- A success's record: its fields straight in the call, then any others. Built in a table, grown, then
            -- unpacked, they cost Redis about 6,900 instructions a stored success (81,235 before this and HLEN, since
            -- replaced by PEXPIRE NX, instead of HMGET; 73,012 after both). Returns the fields written, and of them
            -- those not there before.
            local function write_success(record, name, attempt, result, started, ...)
              local added = redis.call('HSET', record, 'state', 'SUCCESS', 'finished', now_text, 'worker', worker,
                'task', name, 'attempt', attempt, 'result', result, 'started', started, ...)
              return 7 + select('#', ...) / 2, added
            end
            -- What describes the task, those of its fields it has, after the fields in f
            local function with_description(f, targs, tparent, tctx, tsub)
              if targs ~= '' then f[#f + 1] = 'args' f[#f + 1] = targs end
              if tparent ~= '' then f[#f + 1] = 'parent' f[#f + 1] = tparent end
              if tctx ~= '' then f[#f + 1] = 'ctx' f[#f + 1] = tctx end
              if tsub ~= '' then f[#f + 1] = 'submitted' f[#f + 1] = tsub end
              return f
            end
            local NOTHING_BEFORE = { false, false }
            local PEXPIRE_TAKES_NX = (redis.REDIS_VERSION_NUM or 0) >= 0x070000
            -- Whether the HSET that wrote `written` fields and added `added` of them created the record, and whether
            -- the record now expires in ttl ms. It did if none of its fields were there and the record had no TTL:
            -- every writer of a record gives it one (RedisKeys.record). Redis 7.0+ asks both in one PEXPIRE NX,
            -- which sets the TTL of a record without one (one command a task instead of HLEN and PEXPIRE: 68,932 ->
            -- 66,685 instructions a stored success); Redis 6.2 (no NX) asks HLEN whether it holds other fields.
            local function new_record(record, added, written, ttl)
              if added ~= written then return false, false end
              if PEXPIRE_TAKES_NX then
                local set = redis.call('PEXPIRE', record, ttl, 'NX') == 1
                return set, set
              end
              return redis.call('HLEN', record) == written, false
            end
            local STATES = { S = 'SUCCESS', A = 'SUCCESS', F = 'FAILURE', Q = 'FAILURE', R = 'REVOKED', T = 'RETRY' }
            local REVOKED = 'dev.taskqueue.TaskRevokedException'
            local dead, announce = false, false
            local function field(stream, entry, name)
              local e = redis.call('XRANGE', stream, entry, entry)[1]
              if e then
                for j = 1, #e[2], 2 do if e[2][j] == name then return e[2][j + 1] end end
              end
              return ''
            end
            local i, n, finished = 14, 0, 0
            local ids, names, states, failed, retried = {}, {}, {}, false, -1
            """ + OutcomeLayout.LUA_READER_STATE + """
            while i <= #ARGV do
            """ + OutcomeLayout.LUA_READER + """
              local stream = KEYS[s]
              n = n + 1
              out[n] = redis.call('XACK', stream, group, entry)
              if out[n] == 1 and kind ~= 'T' then finished = finished + 1 end
              if out[n] == 1 then
                local record = r and r > 0 and KEYS[r] or nil
                local letter = ''
                if kind == 'F' or kind == 'Q' then
                  local m = field(stream, entry, 'm')
                  if kind == 'Q' then m = cut(m, tonumber(ARGV[8])) end
                  letter = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'i', id, 'm', m,
                    'task', name, 'reason', reason, 'error', etype, 'message', emsg, 'stack', estack, 'at', now,
                    'worker', worker, 'deliveries', (read_count(field(stream, entry, 'd')) or 0) + 1,
                    'attempt', attempt)
                  dead = true
                elseif kind == 'T' then
                  redis.call('HSET', KEYS[3], id, prio .. body)
                  redis.call('ZADD', KEYS[2], now + delay, id)
                  redis.call('ZADD', KEYS[5], now + delay, id)
                  if delay > retried then retried = delay end
                  if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == id then announce = true end
                end
                local state = STATES[kind]
                if kind == 'F' or kind == 'Q' or kind == 'T' then
                  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[10], '*', 'i', id, 'n', name, 's', state,
                    'et', etype, 'em', cut(emsg, tonumber(ARGV[12])), 'w', worker, 'a', attempt, 'dl', letter)
                  failed = true
                end
                if ak > 0 then
                  redis.call('RPUSH', KEYS[ak], cjson.encode({ a = tonumber(attempt), w = worker, f = now, st = state,
                    s = tran ~= '' and now - tonumber(tran) or nil, et = kind == 'R' and REVOKED or etype,
                    em = emsg, es = estack }))
                  redis.call('LTRIM', KEYS[ak], -tonumber(ARGV[13]), -1)
                  redis.call('PEXPIRE', KEYS[ak], ttl)
                end
                if record then
                  -- One HSET per record: its outcome's fields, then what describes the task
                  local written, added
                  if kind == 'S' then
                    local started = tran ~= '' and string.format('%d', now - tonumber(tran)) or now_text
                    if targs ~= '' and tsub ~= '' and tparent == '' and tctx == '' then -- the common case
                      written, added = write_success(record, name, attempt, result, started, 'args', targs,
                        'submitted', tsub)
                    elseif targs ~= '' and tsub ~= '' and tparent == '' then -- a chord's member
                      written, added = write_success(record, name, attempt, result, started, 'args', targs,
                        'ctx', tctx, 'submitted', tsub)
                    else
                      written, added = write_success(record, name, attempt, result, started,
                        unpack(with_description({}, targs, tparent, tctx, tsub)))
                    end
                  else
                    local f
                    if kind == 'R' then
                      f = { 'state', 'REVOKED', 'finished', now, 'task', name,
                        'error.type', 'dev.taskqueue.TaskRevokedException', 'error.message', emsg }
                    elseif kind == 'T' then
                      f = { 'state', 'RETRY', 'worker', worker, 'task', name, 'attempt', attempt,
                        'next', now + delay, 'error.type', etype, 'error.message', emsg, 'error.stack', estack }
                    else
                      f = { 'state', 'FAILURE', 'finished', now, 'worker', worker, 'task', name,
                        'attempt', attempt, 'error.type', etype, 'error.message', emsg, 'error.stack', estack,
                        'dead', letter }
                    end
                    with_description(f, targs, tparent, tctx, tsub)
                    if tran ~= '' then f[#f + 1] = 'started' f[#f + 1] = now - tonumber(tran) end
                    written, added = #f / 2, redis.call('HSET', record, unpack(f))
                  end
                  -- What the outcome asks of what was there before: a success, an earlier failure to clear (it
                  -- writes no error); every outcome, who waits for the result (no outcome writes 'notify'). A record
                  -- this HSET created had neither: the common case, where nothing is read (see new_record).
                  local created, expiring = new_record(record, added, written, ttl)
                  local before = created and NOTHING_BEFORE or redis.call('HMGET', record, 'error.type', 'notify')
                  -- every writer of 'next' or 'dead' (a retry, a failure) also writes 'error.type': a record
                  -- without it has nothing to clear, which is the common case (one look instead of five deletes)
                  if kind == 'S' and before[1] then
                    redis.call('HDEL', record, 'error.type', 'error.message', 'error.stack', 'next', 'dead')
                  end
                  if not expiring then redis.call('PEXPIRE', record, ttl) end
                  if kind ~= 'T' then
                    wake_waiters(record, id, ARGV[3], before[2])
                    local l = #ids + 1
                    ids[l], names[l], states[l] = id, name, state
                  end
                end
                if u > 0 and kind ~= 'T' and redis.call('GET', KEYS[u]) == id then redis.call('DEL', KEYS[u]) end
                if p > 0 then
                  redis.call('ZREM', KEYS[p], id)
                  local waiting = redis.call('ZRANGE', KEYS[p + 1], 0, 0)[1]
                  if waiting then
                    redis.call('ZREM', KEYS[p + 1], waiting)
                    if redis.call('ZSCORE', KEYS[2], waiting) then
                      redis.call('ZADD', KEYS[2], now, waiting)
                      announce = true
                    end
                  end
                end
                local list = deletions[s]
                if not list then list = {} deletions[s] = list end
                list[#list + 1] = entry
              end
            end
            for s, entries in pairs(deletions) do delete_acknowledged(KEYS[s], group, entries) end
            count_finished(KEYS[4], now, finished)
            if dead then redis.call('XTRIM', KEYS[1], 'MINID', now - tonumber(ARGV[5])) end
            if #ids > 0 then
              -- One entry lists the batch's finished tasks, in one JSON field (an XADD per task was a tenth of Redis's
              -- time for a stored result, three fields per task half of that); the stream keeps about ARGV[9] tasks:
              -- as many entries as that is at this batch's size
              redis.call('XADD', KEYS[6], 'MAXLEN', '~', math.ceil(tonumber(ARGV[9]) / #ids), '*',
                't', cjson.encode({ ids, names, states }))
              redis.call('PEXPIRE', KEYS[6], ARGV[11])
            end
            if failed then
              redis.call('XTRIM', KEYS[7], 'MINID', now - tonumber(ARGV[11]))
              redis.call('PEXPIRE', KEYS[7], ARGV[11])
            end
            if retried >= 0 then
              -- ids whose task left the delayed set other than by promotion (a revocation) go a day after due
              redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 86400000)
              if redis.call('PTTL', KEYS[5]) < retried + 86400000 then
                redis.call('PEXPIRE', KEYS[5], retried + 86400000)
              end
            end
            if announce then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
            return out
            """, ScriptOutputType.MULTI);

    List<Boolean> acknowledge(String consumer, List<Outcome> outcomes) {
        Boolean[] recorded = new Boolean[outcomes.size()];
        Map<String, List<Integer>> byQueue = new LinkedHashMap<>();
        Map<String, List<Integer>> plainByStream = new LinkedHashMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (isPlain(o)) {
                plainByStream.computeIfAbsent(o.delivery().queue() + '\u0000' + o.delivery().stream(),
                        k -> new ArrayList<>()).add(i);
            }
            else {
                byQueue.computeIfAbsent(o.delivery().queue(), q -> new ArrayList<>()).add(i);
            }
        }
        // each stream's entries in its order, as the scripts' delete_acknowledged takes them (mostly sorted already:
        // tasks tend to finish in the order they were claimed)
        Comparator<Integer> streamOrder = Comparator.comparing(i -> outcomes.get(i).delivery().entryId(),
                RedisValues.ENTRY_ORDER);
        plainByStream.values().forEach(indexes -> indexes.sort(streamOrder));
        byQueue.values().forEach(indexes -> indexes.sort(streamOrder));
        List<CompletableFuture<Long>> plainReplies = acknowledgePlain(outcomes, plainByStream);
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>();
        List<List<Integer>> positions = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> entry : byQueue.entrySet()) {
            Batch batch = new Batch(entry.getKey(), consumer);
            for (int index : entry.getValue()) {
                batch.add(outcomes.get(index));
            }
            replies.add(ACKNOWLEDGE.run(redis.commands(), batch.keys(), batch.args()));
            positions.add(entry.getValue());
        }
        int plain = 0;
        for (List<Integer> indexes : plainByStream.values()) {
            long acknowledged = redis.await(plainReplies.get(plain++), "acknowledge " + indexes.size() + " task(s)");
            if (acknowledged < indexes.size()) {
                log.warn("{} of {} fire-and-forget task(s) were no longer held by this worker (their leases were "
                        + "taken over); they run again elsewhere", indexes.size() - acknowledged, indexes.size());
            }
            indexes.forEach(i -> recorded[i] = true);
        }
        for (int r = 0; r < replies.size(); r++) {
            List<Object> reply = redis.await(replies.get(r), "record " + outcomes.size() + " outcome(s)");
            List<Integer> indexes = positions.get(r);
            for (int j = 0; j < indexes.size(); j++) {
                recorded[indexes.get(j)] = ((Long) reply.get(j)) == 1L;
            }
        }
        return List.of(recorded);
    }

    /**
     * Whether an outcome needs nothing but its acknowledgement: a fire-and-forget success without keys to
     * release. Those skip the per-task script: one {@code XACK} and one {@code XDEL} of every entry of a stream,
     * whatever their number (the per-task work was most of Redis's cost for them). Fencing still holds: nothing is
     * written for such a task, and deleting an entry that was taken back (already deleted) does nothing; only a
     * refusal can no longer be told apart, so it is counted rather than attributed.
     */
    private static boolean isPlain(Outcome o) {
        return o.kind() == Outcome.Kind.SUCCEEDED && !o.storeRecord() && o.uniqueKey() == null
                && o.permitKey() == null;
    }

    /*
     * KEYS[1] a stream   KEYS[2] {q}:throughput   ARGV[1] group   ARGV[2..] entry ids, in the stream's order
     * Acknowledges and deletes them all (a few commands, whatever their number), and counts them as finished. An
     * entry that was no longer pending was taken back, which deleted it: none pending, nothing to delete.
     * Returns how many were still pending.
     */
    private static final LuaScript ACKNOWLEDGE_PLAIN = new LuaScript("acknowledge-plain", DELETE_ACKNOWLEDGED + """
            local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
            if acked > 0 then delete_acknowledged(KEYS[1], ARGV[1], { unpack(ARGV, 2) }) end
            count_finished(KEYS[2], now_ms(), acked)
            return acked
            """, ScriptOutputType.INTEGER);

    /** One script per stream; the replies are the acknowledged counts, in the map's order. */
    private List<CompletableFuture<Long>> acknowledgePlain(List<Outcome> outcomes,
            Map<String, List<Integer>> byStream) {
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (List<Integer> indexes : byStream.values()) {
            Delivery first = outcomes.get(indexes.get(0)).delivery();
            byte[][] args = new byte[1 + indexes.size()][];
            args[0] = bytes(RedisKeys.GROUP);
            for (int a = 0; a < indexes.size(); a++) {
                args[1 + a] = bytes(outcomes.get(indexes.get(a)).delivery().entryId());
            }
            replies.add(ACKNOWLEDGE_PLAIN.run(redis.commands(), new byte[][] { keys.stream(first.queue(),
                    first.stream()), keys.throughput(first.queue()) }, args));
        }
        return replies;
    }

    /**
     * The keys and arguments of one queue's batch: keys are numbered once, however many outcomes share them, in the
     * order the outcomes name them. (Package-private for the layout's test, which reads what a batch writes.)
     */
    final class Batch implements OutcomeLayout.KeyIndexes {

        private final String queue;
        private final Map<String, Integer> keyIndexes = new LinkedHashMap<>();
        private final List<byte[]> keyList = new ArrayList<>();
        private final List<byte[]> args = new ArrayList<>();
        private final OutcomeLayout.Writer writer;

        Batch(String queue, String consumer) {
            this.queue = queue;
            this.writer = new OutcomeLayout.Writer(this, args);
            key(keys.dead(queue));
            key(keys.delayed(queue));
            key(keys.delayedPayloads(queue));
            key(keys.throughput(queue));
            key(keys.retrying(queue));
            key(keys.done(queue));
            key(keys.failures(queue));
            for (String arg : List.of(RedisKeys.GROUP, consumer, keys.notifyChannelPrefix(),
                    Long.toString(deadLetters.maxLength()), Long.toString(deadLetters.maxAge().toMillis()),
                    keys.wakeChannel(), queue, Integer.toString(deadLetters.maxQuarantinedSize()),
                    Integer.toString(RedisQueueBrowser.RESULTS_KEPT), Integer.toString(RedisQueueBrowser.FAILURES_KEPT),
                    Long.toString(RedisQueueBrowser.FAILURES_MAX_AGE.toMillis()),
                    Integer.toString(RedisQueueBrowser.FAILURE_MESSAGE_BYTES),
                    Integer.toString(RedisQueueBrowser.ATTEMPTS_KEPT))) {
                args.add(bytes(arg));
            }
        }

        private int key(byte[] key) {
            return keyIndexes.computeIfAbsent(RedisBroker.string(key), k -> {
                keyList.add(key);
                return keyList.size();
            });
        }

        void add(Outcome o) {
            writer.add(o);
        }

        @Override
        public int stream(String stream) {
            return key(keys.stream(queue, stream));
        }

        @Override
        public int record(String taskId) {
            return key(keys.record(queue, taskId));
        }

        @Override
        public int unique(String uniqueKey) {
            return key(keys.unique(queue, uniqueKey));
        }

        @Override
        public int permits(String permitKey) {
            int permits = key(keys.permits(queue, permitKey));
            key(keys.permitWaiters(queue, permitKey)); // always right after its pair
            return permits;
        }

        @Override
        public int attempts(String taskId) {
            return key(keys.attempts(queue, taskId));
        }

        byte[][] keys() {
            return keyList.toArray(byte[][]::new);
        }

        byte[][] args() {
            return args.toArray(byte[][]::new);
        }
    }
}
