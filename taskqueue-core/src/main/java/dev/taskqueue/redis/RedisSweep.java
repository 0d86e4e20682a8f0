package dev.taskqueue.redis;

import static dev.taskqueue.redis.RedisBroker.string;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;

/**
 * Deletes a prefix's keys, for tests that reuse or throw away a prefix (the test kit). Every key of a prefix starts
 * with <code>{&lt;prefix&gt;:</code> (a queue's, a group's, a chord's) or <code>{&lt;prefix&gt;}</code> (the shared
 * ones), see {@link RedisKeys}; they are found with {@code SCAN ... MATCH} and deleted with one {@code UNLINK} each
 * (so that keys of different Cluster slots never meet in one command).
 */
final class RedisSweep {

    private static final int SCAN_COUNT = 500;

    private static final int MAX_ROUNDS = 100_000;

    private final RedisConnections redis;
    private final RedisKeys keys;

    RedisSweep(RedisConnections redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * Deletes what tasks left (their history included), keeping what running workers need: the ready streams and
     * their consumer groups (the caller purges their entries first), the workers' registry, the catalog and the
     * queue names.
     */
    long forgetTasks() {
        String shared = "{" + keys.prefix() + "}:";
        return delete(key -> {
            if (key.startsWith(shared)) {
                return key.startsWith(shared + "schedule:") || key.equals(shared + "chords")
                        || key.equals(shared + "events") || key.startsWith(shared + "h:");
            }
            return !key.matches("\\{[^}]*}:s:[^:]+"); // a ready stream: {p:q}:s:<band>
        });
    }

    /** Deletes every key of the prefix. */
    long forgetEverything() {
        return delete(key -> true);
    }

    private long delete(Predicate<String> doomed) {
        List<CompletableFuture<Long>> deletions = new ArrayList<>();
        for (String pattern : List.of("{" + keys.prefix() + ":*", "{" + keys.prefix() + "}*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            for (int round = 0; round < MAX_ROUNDS && !cursor.isFinished(); round++) {
                KeyScanCursor<byte[]> page = redis.await(redis.commands().scan(cursor,
                        ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT)), "list the keys of " + pattern);
                for (byte[] key : page.getKeys()) {
                    if (doomed.test(string(key))) {
                        deletions.add(redis.commands().unlink(key).toCompletableFuture());
                    }
                }
                cursor = page;
            }
        }
        long deleted = 0;
        for (CompletableFuture<Long> deletion : deletions) {
            deleted += redis.await(deletion, "delete a key of prefix '" + keys.prefix() + "'");
        }
        return deleted;
    }
}
