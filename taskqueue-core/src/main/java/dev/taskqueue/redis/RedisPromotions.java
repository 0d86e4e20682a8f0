package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.broker.Broker.Promotion;
import dev.taskqueue.broker.Broker.Quarantined;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.redis.RedisStores.DeadLetterPolicy;
import io.lettuce.core.ScriptOutputType;

/**
 * Moving delayed tasks ({@code {q}:d}, their messages in {@code {q}:dp}) to their streams: those due, for the
 * workers' promoters ({@link RedisBroker#promoteDue}), and all of them now, for tests
 * ({@link RedisQueueAdmin#promoteAll}). A due payload that cannot be read is quarantined to the dead letters.
 */
final class RedisPromotions {

    private final RedisConnections redis;
    private final RedisKeys keys;
    private final DeadLetterPolicy deadLetters;

    RedisPromotions(RedisConnections redis, RedisKeys keys, DeadLetterPolicy deadLetters) {
        this.redis = redis;
        this.keys = keys;
        this.deadLetters = deadLetters;
    }

    /*
     * KEYS[1] {q}:d   KEYS[2] {q}:dp   KEYS[3..12] {q}:s:0 .. {q}:s:9   KEYS[13] {q}:dead   KEYS[14] {q}:retrying
     * ARGV[1] group   ARGV[2] max messages   ARGV[3] dead letters max length   ARGV[4] dead letters max age ms
     * ARGV[5] the error type of a quarantined message
     * Moves due messages to their priority's stream. A due id whose payload is missing, empty or not led by a
     * priority digit is quarantined: moved, as it is, to the dead letters with the reason.
     * Returns { promoted, ms until the next is due or -1, {id, reason, ...} of those quarantined }.
     */
    private static final LuaScript PROMOTE = new LuaScript("promote", """
            local now = now_ms()
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
            local quarantined = {}
            for _, id in ipairs(ids) do
              local v = redis.call('HGET', KEYS[2], id)
              local priority = v and read_int(string.sub(v, 1, 1))
              if priority then
                add_ready(KEYS[3 + priority], ARGV[1], id, string.sub(v, 2), '0', false)
              else
                local reason = 'malformed delayed task: its payload in ' .. KEYS[2]
                if not v then reason = 'malformed delayed task: it has no payload in ' .. KEYS[2]
                elseif v == '' then reason = reason .. ' is empty'
                else reason = reason .. ' does not start with a priority digit' end
                redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[3], '*', 'i', id, 'm', v or '', 'task', '',
                  'reason', reason, 'error', ARGV[5], 'message', reason, 'at', now, 'deliveries', 0, 'attempt', 0)
                quarantined[#quarantined + 1] = id
                quarantined[#quarantined + 1] = reason
              end
              redis.call('HDEL', KEYS[2], id)
              redis.call('ZREM', KEYS[1], id)
            end
            if #ids > 0 then redis.call('ZREM', KEYS[14], unpack(ids)) end
            if #quarantined > 0 then redis.call('XTRIM', KEYS[13], 'MINID', now - tonumber(ARGV[4])) end
            local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            local promoted = #ids - #quarantined / 2
            if head[2] then return { promoted, math.max(0, tonumber(head[2]) - now), quarantined } end
            return { promoted, -1, quarantined }
            """, ScriptOutputType.MULTI);

    /** What {@link dev.taskqueue.broker.Broker#promoteDue} does. */
    Promotion promoteDue(String queue, int max) {
        byte[][] k = new byte[14][];
        k[0] = keys.delayed(queue);
        k[1] = keys.delayedPayloads(queue);
        System.arraycopy(keys.priorityStreams(queue), 0, k, 2, 10);
        k[12] = keys.dead(queue);
        k[13] = keys.retrying(queue);
        List<Object> reply = redis.await(PROMOTE.run(redis.commands(), k, bytes(RedisKeys.GROUP),
                bytes(Integer.toString(max)), bytes(Long.toString(deadLetters.maxLength())),
                bytes(Long.toString(deadLetters.maxAge().toMillis())), bytes(Outcome.QUARANTINE_ERROR)),
                "promote due tasks of queue '" + queue + "'");
        long untilNext = (Long) reply.get(1);
        List<Quarantined> quarantined = new ArrayList<>();
        List<?> flat = (List<?>) reply.get(2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            quarantined.add(new Quarantined(string(flat.get(i)), string(flat.get(i + 1))));
        }
        return new Promotion(((Long) reply.get(0)).intValue(), untilNext < 0 ? null : Duration.ofMillis(untilNext),
                quarantined);
    }

    /*
     * KEYS[1] {q}:d   ARGV[1] max
     * Makes up to max delayed tasks due at once (score 0), soonest first. Returns how many.
     */
    private static final LuaScript DUE_NOW = new LuaScript("due-now", """
            if redis.call('TYPE', KEYS[1])['ok'] ~= 'zset' then return 0 end
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(0', '+inf', 'LIMIT', 0, tonumber(ARGV[1]))
            for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', 0, id) end
            return #ids
            """, ScriptOutputType.INTEGER);

    /**
     * Makes every delayed task of the queue due, and promotes it ({@link RedisQueueAdmin#promoteAll}). Returns how many
     * it made due: a worker's promoter may move some of them to their streams between the two scripts, and they count
     * all the same (counting only its own moves, a test saw 0 of 1 now and then).
     */
    int promoteAll(String queue) {
        int madeDueInAll = 0;
        for (int round = 0; round < 100_000; round++) {
            long madeDue = redis.await(DUE_NOW.run(redis.commands(), new byte[][] { keys.delayed(queue) },
                    bytes("1000")), "make the delayed tasks of queue '" + queue + "' due");
            Promotion promotion = promoteDue(queue, 1000);
            madeDueInAll += (int) madeDue;
            if (madeDue == 0 && promotion.promoted() < 1000) {
                break;
            }
        }
        return madeDueInAll;
    }
}
