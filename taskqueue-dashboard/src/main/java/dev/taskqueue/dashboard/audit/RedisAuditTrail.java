package dev.taskqueue.dashboard.audit;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The audit trail in Redis, shared by every instance: one sorted set {@code {<prefix>}:dashboard:audit} whose members
 * are {@code <sequence> <entry as JSON>}, scored by time (epoch ms × 1000 + sequence mod 1000, so that scores are
 * unique and a page's cursor is exact), and a counter {@code {<prefix>}:dashboard:audit:seq}.
 * <pre>
 * add:  EVAL (INCR seq; ZADD audit score member; ZREMRANGEBYRANK audit 0 -(max+1); ZREMRANGEBYSCORE audit -inf (old;
 *       PEXPIRE audit maxAge; PEXPIRE seq maxAge)
 * page: ZREVRANGEBYSCORE audit (cursor - 1) -inf WITHSCORES LIMIT 0 count+1
 * </pre>
 * Bounded at {@value #MAX_ENTRIES} entries and {@link #MAX_AGE} (90 days): enough for months of a team's actions,
 * and never more than a few hundred kilobytes.
 */
public final class RedisAuditTrail implements AuditTrail {

    /** Most entries kept. */
    public static final int MAX_ENTRIES = 1000;

    /** Longest an entry is kept. */
    public static final Duration MAX_AGE = Duration.ofDays(90);

    private static final JsonMapper JSON = JsonMapper.shared();

    // KEYS[1] the audit sorted set, KEYS[2] its sequence counter
    // ARGV[1] the entry's time (epoch ms), ARGV[2] the entry as JSON, ARGV[3] most entries kept, ARGV[4] max age (ms)
    // Returns the entry's sequence number.
    private static final RedisScript<Long> ADD = RedisScript.of("""
            local seq = redis.call('INCR', KEYS[2])
            local at = tonumber(ARGV[1])
            redis.call('ZADD', KEYS[1], string.format('%.0f', at * 1000 + seq % 1000), seq .. ' ' .. ARGV[2])
            redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%.0f', (at - tonumber(ARGV[4])) * 1000))
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            return seq
            """, Long.class);

    private final StringRedisTemplate redis;
    private final String key;
    private final String sequence;
    private final Clock clock;

    /** @param keyPrefix taskqueue's key prefix ({@code taskqueue.key-prefix}) */
    public RedisAuditTrail(StringRedisTemplate redis, String keyPrefix, Clock clock) {
        this.redis = redis;
        this.key = "{" + keyPrefix + "}:dashboard:audit";
        this.sequence = key + ":seq";
        this.clock = clock;
    }

    @Override
    public void add(AuditEntry entry) {
        redis.execute(ADD, List.of(key, sequence), Long.toString(entry.at()), JSON.writeValueAsString(entry),
                Integer.toString(MAX_ENTRIES), Long.toString(MAX_AGE.toMillis()));
    }

    @Override
    public Page page(@Nullable String cursor, int count) {
        double max = cursor == null ? Double.POSITIVE_INFINITY : parseCursor(cursor) - 1;
        double min = (clock.millis() - MAX_AGE.toMillis()) * 1000.0;
        Set<ZSetOperations.TypedTuple<String>> found = redis.opsForZSet().reverseRangeByScoreWithScores(key, min, max,
                0, count + 1);
        List<ZSetOperations.TypedTuple<String>> tuples = found == null ? List.of() : new ArrayList<>(found);
        List<ZSetOperations.TypedTuple<String>> page = tuples.subList(0, Math.min(count, tuples.size()));
        List<AuditEntry> items = page.stream().map(ZSetOperations.TypedTuple::getValue)
                .filter(member -> member != null && member.indexOf(' ') > 0)
                .map(member -> JSON.readValue(member.substring(member.indexOf(' ') + 1), AuditEntry.class)).toList();
        Double last = page.isEmpty() ? null : page.get(page.size() - 1).getScore();
        return new Page(items, tuples.size() > count && last != null ? String.format("%.0f", last) : null);
    }

    private static long parseCursor(String cursor) {
        try {
            return Long.parseLong(cursor);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + cursor + "' is not an audit cursor: pass the 'next' of the page "
                    + "before");
        }
    }
}
