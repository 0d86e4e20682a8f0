package dev.taskqueue.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * A Lua script run by its SHA1 ({@code EVALSHA}), falling back to {@code EVAL} when the server does not know it
 * yet (a restart, a new Cluster node, {@code SCRIPT FLUSH}); {@code EVAL} also caches it for next time.
 */
final class LuaScript {

    /**
     * The largest count a script or a reader takes from Redis (a task's deliveries): a larger one is read as this, so
     * that limits such as max-deliveries still apply, and one more stays a whole number (Lua writes 1e+11 otherwise).
     */
    static final int MAX_COUNT = 1_000_000_000;

    /**
     * What scripts share: the broker's clock in milliseconds (so that application clocks need not agree), the
     * per-second count of finished tasks (see {@link RedisKeys#throughput(String)}), the wake-up of the
     * instances waiting for a task (see {@link RedisResultBackend}), and the one way a task enters a stream:
     * fields {@code i} (id), {@code m} (body), {@code d} (deliveries so far) and, for a task already revoked,
     * {@code r} (so that a worker sees it on any read, without asking the revoked set). Each script carries the
     * helpers it names, and those they name: a script defines its helpers at every call, and defining them all cost
     * 4,600 instructions a call, 6% of a script that stored one task.
     *
     * <p>Every value a script reads from Redis is checked before use ({@code read_int}, {@code read_count},
     * {@code field_value}): anyone can write into these keys, and a script that failed on one bad value would fail
     * for every task it handles, at every pass. {@code tonumber} alone would take {@code ' 7'}, {@code '0x1f'},
     * {@code '1e3'} or {@code 'nan'}, and answers nil (which fails the first arithmetic on it) for the rest.
     */
    private static final List<Helper> HELPERS = List.of(
            new Helper("MAX_COUNT", "local MAX_COUNT = " + MAX_COUNT + "\n"),
            new Helper("read_int", """
                    local function read_int(v)
                      if type(v) == 'string' and #v <= 16 and string.find(v, '^%d+$') then return tonumber(v) end
                      return nil
                    end
                    """),
            new Helper("read_count", """
                    local function read_count(v)
                      if type(v) ~= 'string' or not string.find(v, '^%d+$') then return nil end
                      return math.min(tonumber(v), MAX_COUNT)
                    end
                    """),
            new Helper("field_value", """
                    local function field_value(fields, name)
                      for j = 1, #fields - 1, 2 do
                        if fields[j] == name then return fields[j + 1] end
                      end
                      return nil
                    end
                    """),
            new Helper("now_ms", """
                    local function now_ms()
                      local t = redis.call('TIME')
                      return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                    end
                    """),
            new Helper("count_finished", """
                    local function count_finished(key, now, n)
                      if n <= 0 then return end
                      local second = math.floor(now / 1000)
                      local field = second % 120
                      local current = redis.call('HGET', key, field)
                      if current then
                        local s, c = string.match(current, '(%d+):(%d+)')
                        if tonumber(s) == second then n = n + tonumber(c) end
                      end
                      redis.call('HSET', key, field, second .. ':' .. n)
                      redis.call('PEXPIRE', key, 120000)
                    end
                    """),
            // once per stream and call: a stream, even emptied, stays with its group until a script deletes it,
            // and none of those that add entries deletes one
            new Helper("ready_stream", """
                    local streams_ready = {}
                    local function ready_stream(stream, group)
                      if streams_ready[stream] then return end
                      if redis.call('EXISTS', stream) == 0 then
                        redis.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')
                      end
                      streams_ready[stream] = true
                    end
                    """),
            new Helper("add_ready", """
                    local function add_ready(stream, group, id, body, deliveries, revoked)
                      ready_stream(stream, group)
                      if revoked then
                        redis.call('XADD', stream, '*', 'i', id, 'm', body, 'd', deliveries, 'r', '1')
                      else
                        redis.call('XADD', stream, '*', 'i', id, 'm', body, 'd', deliveries)
                      end
                    end
                    """),
            new Helper("wake_waiters", """
                    -- waiters: the record's 'notify' field as read by the caller (false when absent)
                    local function wake_waiters(record, id, channel_prefix, waiters)
                      if waiters then
                        for w in string.gmatch(waiters, '%S+') do redis.call('PUBLISH', channel_prefix .. w, id) end
                        redis.call('HDEL', record, 'notify')
                      end
                    end
                    """),
            new Helper("notify_waiters", """
                    local function notify_waiters(record, id, channel_prefix)
                      wake_waiters(record, id, channel_prefix, redis.call('HGET', record, 'notify'))
                    end
                    """));

    /** A helper: a local of that name, and the Lua that defines it (after the helpers it uses). */
    private record Helper(String name, String source) {
    }

    /** The helpers {@code body} names, and those they name, in the order {@link #HELPERS} defines them. */
    static String helpersFor(String body) {
        StringBuilder named = new StringBuilder(body);
        List<Helper> used = new ArrayList<>();
        for (int h = HELPERS.size() - 1; h >= 0; h--) { // a helper uses only those before it
            Helper helper = HELPERS.get(h);
            if (Pattern.compile("\\b" + helper.name() + "\\b").matcher(named).find()) {
                used.add(0, helper);
                named.append(helper.source());
            }
        }
        return used.stream().map(Helper::source).collect(Collectors.joining());
    }

    private final String name;
    private final byte[] source;
    private final String sha;
    private final ScriptOutputType output;

    LuaScript(String name, String body, ScriptOutputType output) {
        this.name = name;
        this.source = (helpersFor(body) + body).getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(this.source);
        this.output = output;
    }

    String name() {
        return name;
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
        CompletableFuture<T> first = redis.<T>evalsha(sha, output, keys, args).toCompletableFuture();
        return first.exceptionallyCompose(ex -> {
            Throwable cause = ex instanceof CompletionException && ex.getCause() != null ? ex.getCause() : ex;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(source, output, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private static String sha1(byte[] source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-1 is required by every Java runtime", ex);
        }
    }
}
