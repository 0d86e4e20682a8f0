package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.bytes;
import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.taskqueue.broker.CatalogStore;
import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

/**
 * The task catalog in Redis: a set of task names and one small hash per task, all under the hash tag
 * {@code {p}} (one Cluster slot).
 * <pre>
 * {taskqueue}:catalog           SET   task names                      SMEMBERS {taskqueue}:catalog
 * {taskqueue}:catalog:&lt;task&gt;    HASH  d (declaration JSON), seen (ms), i:&lt;instance&gt; (ms), with a TTL
 *                                     HGETALL {taskqueue}:catalog:images.thumbnail
 * </pre>
 * Each publish refreshes the TTL (the retention), so a task that no instance publishes any more expires by itself;
 * the name set is bounded ({@link #MAX_TASKS}) and expires with the last publish too. Built by {@link RedisStores}.
 */
public final class RedisCatalog implements CatalogStore {

    /** The most tasks the catalog holds; publishing more is refused (and logged by the publisher). */
    public static final int MAX_TASKS = 10_000;

    private static final String INSTANCE = "i:";

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisCatalog(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /*
     * KEYS[1] {p}:catalog   KEYS[1 + n] {p}:catalog:<task n>
     * ARGV[1] instance id   ARGV[2] retention ms   ARGV[3] forget instances silent this long (0: keep)
     * ARGV[4] most tasks    ARGV[3 + 2n], ARGV[4 + 2n] task n's name and declaration
     * Returns the names refused because the catalog is full.
     */
    private static final LuaScript PUBLISH = new LuaScript("catalog-publish", """
            local now = now_ms()
            local me = 'i:' .. ARGV[1]
            local forget = tonumber(ARGV[3])
            local max = tonumber(ARGV[4])
            local refused = {}
            for k = 2, #KEYS do
              local name, declaration = ARGV[3 + 2 * (k - 1)], ARGV[4 + 2 * (k - 1)]
              if redis.call('SISMEMBER', KEYS[1], name) == 0 and redis.call('SCARD', KEYS[1]) >= max then
                refused[#refused + 1] = name
              else
                redis.call('SADD', KEYS[1], name)
                redis.call('HSET', KEYS[k], 'd', declaration, 'seen', now, me, now)
                if forget > 0 then
                  local fields = redis.call('HGETALL', KEYS[k])
                  for f = 1, #fields, 2 do
                    local seen = tonumber(fields[f + 1])
                    if string.sub(fields[f], 1, 2) == 'i:' and (seen == nil or seen < now - forget) then
                      redis.call('HDEL', KEYS[k], fields[f])
                    end
                  end
                end
                redis.call('PEXPIRE', KEYS[k], ARGV[2])
              end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return refused
            """, ScriptOutputType.MULTI);

    @Override
    public List<String> publish(String instanceId, Map<String, String> declarations, long retentionMillis,
            long forgetInstancesAfterMillis) {
        if (declarations.isEmpty()) {
            return List.of();
        }
        byte[][] scriptKeys = new byte[declarations.size() + 1][];
        byte[][] args = new byte[4 + 2 * declarations.size()][];
        scriptKeys[0] = keys.catalog();
        args[0] = bytes(instanceId);
        args[1] = bytes(Long.toString(retentionMillis));
        args[2] = bytes(Long.toString(forgetInstancesAfterMillis));
        args[3] = bytes(Integer.toString(MAX_TASKS));
        int n = 0;
        for (Map.Entry<String, String> declaration : declarations.entrySet()) {
            n++;
            scriptKeys[n] = keys.catalogTask(declaration.getKey());
            args[2 + 2 * n] = bytes(declaration.getKey());
            args[3 + 2 * n] = bytes(declaration.getValue());
        }
        List<Object> refused = redis.await(PUBLISH.run(redis.commands(), scriptKeys, args),
                "publish the tasks of " + instanceId + " to the task catalog");
        return refused.stream().map(RedisBroker::string).toList();
    }

    @Override
    public void withdraw(String instanceId, Collection<String> names) {
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (String name : names) {
            replies.add(redis.commands().hdel(keys.catalogTask(name), bytes(INSTANCE + instanceId))
                    .toCompletableFuture());
        }
        replies.forEach(reply -> redis.await(reply, "withdraw " + instanceId + " from the task catalog"));
    }

    @Override
    public @Nullable Entry find(String name) {
        return entry(redis.await(redis.commands().hgetall(keys.catalogTask(name)), "read task " + name
                + " from the task catalog"));
    }

    /*
     * KEYS[1] {p}:catalog   KEYS[2] {p}:catalog:<task>   ARGV[1] the task's name
     * Drops the name of a task whose entry expired, unless it was published again meanwhile.
     */
    private static final LuaScript FORGET_EXPIRED = new LuaScript("catalog-forget", """
            if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
            return 0
            """, ScriptOutputType.INTEGER);

    @Override
    public Map<String, Entry> all() {
        Set<String> names = new TreeSet<>();
        for (byte[] name : redis.await(redis.commands().smembers(keys.catalog()), "list the task catalog")) {
            names.add(string(name));
        }
        Map<String, CompletableFuture<Map<byte[], byte[]>>> replies = new LinkedHashMap<>();
        names.forEach(name -> replies.put(name, redis.commands().hgetall(keys.catalogTask(name))
                .toCompletableFuture()));
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<CompletableFuture<Long>> forgotten = new ArrayList<>();
        replies.forEach((name, reply) -> {
            Entry entry = entry(redis.await(reply, "read the task catalog"));
            if (entry != null) {
                entries.put(name, entry);
            }
            else {
                forgotten.add(FORGET_EXPIRED.<Long>run(redis.commands(), new byte[][] { keys.catalog(),
                        keys.catalogTask(name) }, bytes(name)));
            }
        });
        forgotten.forEach(reply -> redis.await(reply, "drop expired names from the task catalog"));
        return entries;
    }

    /** An entry from its hash's fields, or null when there is none (or it holds no declaration). */
    private static @Nullable Entry entry(Map<byte[], byte[]> fields) {
        String json = null;
        long lastSeen = 0;
        Map<String, Long> instances = new HashMap<>();
        for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
            String name = string(field.getKey());
            String value = string(field.getValue());
            if (name.equals("d")) {
                json = value;
            }
            else if (name.equals("seen")) {
                lastSeen = millis(value);
            }
            else if (name.startsWith(INSTANCE)) {
                instances.put(name.substring(INSTANCE.length()), millis(value));
            }
        }
        return json == null ? null : new Entry(json, lastSeen, instances);
    }

    /** A time written by the publish script; an unreadable one (written by something else) counts as never. */
    private static long millis(String value) {
        return RedisValues.number(value, 0);
    }
}
