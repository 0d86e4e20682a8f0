package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the queue names ever used cost an idle fleet. The bug: every queue name ever seen cost Redis work every second
 * (the janitor's recovery looked at every one), 5,000 names some 44,000 idle commands a second.
 */
class QueueNamesIT {

    private static final int MANY = 15_000;

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    /**
     * One idle worker (production defaults, but a 5 s visibility timeout) for 6 s with the queue it consumes only,
     * then with 15,000 more queue
     * names, each used once (its stream and group exist, empty): Redis's commands ({@code INFO commandstats}, the
     * commands scripts call included) and CPU ({@code INFO cpu}) are printed, and must not grow with the names.
     */
    @Test
    @Timeout(300)
    void anIdleWorkerCostsRedisNoMoreWithFifteenThousandQueueNames() throws Exception {
        tq.startWorker(s -> s.heartbeatInterval(Duration.ofSeconds(1)).livenessTimeout(Duration.ofSeconds(5))
                .janitorInterval(Duration.ofSeconds(1)).pollTimeout(Duration.ofSeconds(2))
                .visibilityTimeout(Duration.ofSeconds(5)));
        // The janitor works once the worker's heartbeats have been proven for 5 s, and takes back idle leases once
        // they have for a visibility timeout (5 s): both are in the measures.
        Thread.sleep(6_000);
        IdleCost one = measure(Duration.ofSeconds(6));

        seedQueueNames(MANY);
        Thread.sleep(2_000);
        IdleCost many = measure(Duration.ofSeconds(6));

        System.out.println("IDLE-COST 1 queue name:       " + one);
        System.out.println("IDLE-COST " + MANY + " queue names: " + many);
        assertThat(many.commandsPerSecond()).as("Redis commands per second, idle, with " + MANY + " queue names")
                .isLessThan(one.commandsPerSecond() * 2 + 20);
    }

    /**
     * A queue unused for the retention that holds nothing is forgotten, its empty keys deleted; one that holds
     * something (a task waiting or delayed, a dead letter, a recent revocation, a pause) counts as used, and is looked
     * at again a retention later; a queue used within the retention, or named by an earlier version without a recorded
     * use, stays.
     */
    @Test
    void aQueueUnusedForTheRetentionIsForgottenUnlessItHoldsSomething() throws Exception {
        long now = System.currentTimeMillis();
        long old = now - RedisBroker.QUEUE_RETENTION.toMillis() - 60_000;
        for (String queue : List.of("empty", "waiting", "delayed", "dead", "revoked", "paused", "recent")) {
            redis.sadd("{taskqueue}:queues", queue);
            redis.zadd("{taskqueue}:queue-use", queue.equals("recent") ? now - 86_400_000 : old, queue);
            redis.xgroupCreate(XReadArgs.StreamOffset.from("{taskqueue:" + queue + "}:s:0", "0"), "workers",
                    XGroupCreateArgs.Builder.mkstream());
        }
        redis.sadd("{taskqueue}:queues", "named-before"); // by an earlier version: no recorded use
        String entry = redis.xadd("{taskqueue:empty}:s:0", "i", "t1", "m", "{}", "d", "0");
        redis.xdel("{taskqueue:empty}:s:0", entry); // its task ran and was acknowledged
        redis.xadd("{taskqueue:empty}:dead", "i", "t0");
        redis.xtrim("{taskqueue:empty}:dead", 0); // its dead letters were requeued
        redis.zadd("{taskqueue:empty}:revoked", now - RedisBroker.REVOCATION_MEMORY.toMillis() - 1, "t2");
        redis.xadd("{taskqueue:waiting}:s:0", "i", "t3", "m", "{}", "d", "0");
        redis.zadd("{taskqueue:delayed}:d", now + 60_000, "t4");
        redis.hset("{taskqueue:delayed}:dp", "t4", "0{}");
        redis.xadd("{taskqueue:dead}:dead", "i", "t5");
        redis.zadd("{taskqueue:revoked}:revoked", now, "t6");
        redis.set("{taskqueue:paused}:paused", "1");

        tq.broker.recover(new Broker.RecoveryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(30)));

        assertThat(tq.broker.queues()).containsExactlyInAnyOrder("waiting", "delayed", "dead", "revoked", "paused",
                "recent", "named-before");
        assertThat(redis.keys("{taskqueue:empty}*")).as("its empty keys").isEmpty();
        Map<String, Double> use = new TreeMap<>();
        redis.zrangeWithScores("{taskqueue}:queue-use", 0, -1).forEach(v -> use.put(v.getValue(), v.getScore()));
        assertThat(use).containsOnlyKeys("waiting", "delayed", "dead", "revoked", "paused", "recent", "named-before");
        assertThat(use.get("recent")).isEqualTo(now - 86_400_000);
        use.remove("recent");
        assertThat(use.values()).as("counted as used now").allMatch(used -> used >= now - 10_000);
        assertThat(redis.xlen("{taskqueue:waiting}:s:0")).isEqualTo(1);
        assertThat(redis.xlen("{taskqueue:dead}:dead")).isEqualTo(1);
        assertThat(redis.zcard("{taskqueue:revoked}:revoked")).isEqualTo(1);
        assertThat(redis.exists("{taskqueue:paused}:paused", "{taskqueue:paused}:s:0")).isEqualTo(2);
    }

    /**
     * A dead worker's tasks are looked for in the queues it consumed, not in all 15,000: its recovery costs a few
     * commands. The bug: one pass looked at every queue ever named, two scripts each (2.5 s with 15,000).
     */
    @Test
    void aDeadWorkerIsLookedForInTheQueuesItConsumedOnly() throws Exception {
        seedQueueNames(MANY);
        tq.client.withOptions(TaskOptions.defaults().queue("work")).submit(TestTasks::echo, "lost");
        tq.broker.heartbeat(new WorkerInfo("ghost", "nowhere", 1, List.of("work"), 1, 0, 0, 0, 0, 0, "RUNNING"),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThat(tq.broker.claim("ghost", List.of("work"), 1)).hasSize(1);
        Thread.sleep(1_200); // it dies: no heartbeat for longer than the liveness timeout

        redis.configResetstat();
        long started = System.nanoTime();
        Broker.Recovery recovery = tq.broker.recover(new Broker.RecoveryPolicy(Duration.ofSeconds(1),
                Duration.ofSeconds(30)));
        long millis = (System.nanoTime() - started) / 1_000_000;
        long commands = commandStats().values().stream().mapToLong(s -> s[0]).sum();

        System.out.println("DEAD-WORKER-PASS with " + MANY + " queue names: " + millis + " ms, " + commands
                + " Redis commands");
        assertThat(recovery.deadWorkers()).containsExactly("ghost");
        assertThat(recovery.redelivered()).isEqualTo(1);
        assertThat(redis.xlen("{taskqueue:work}:s:r")).isEqualTo(1);
        assertThat(redis.hgetall("{taskqueue}:worker-queues")).isEmpty();
        assertThat(commands).isLessThan(200);
    }

    /** A worker that died before it named its queues (an earlier version) is looked for in every queue. */
    @Test
    void aDeadWorkerThatDidNotNameItsQueuesIsLookedForInEveryQueue() throws Exception {
        tq.client.withOptions(TaskOptions.defaults().queue("work")).submit(TestTasks::echo, "lost");
        assertThat(tq.broker.claim("ghost", List.of("work"), 1)).hasSize(1);
        redis.zadd("{taskqueue}:workers", System.currentTimeMillis() - 60_000, "ghost");

        Broker.Recovery recovery = tq.broker.recover(new Broker.RecoveryPolicy(Duration.ofSeconds(1),
                Duration.ofSeconds(30)));

        assertThat(recovery.deadWorkers()).containsExactly("ghost");
        assertThat(recovery.redelivered()).isEqualTo(1);
        assertThat(redis.zscore("{taskqueue}:workers", "ghost")).isNull();
    }

    /** Queues used once, a minute ago: a name in the registry, and its stream with the workers' group, empty. */
    private void seedQueueNames(int count) throws Exception {
        RedisAsyncCommands<String, String> async = SharedRedis.admin().async();
        List<RedisFuture<?>> replies = new ArrayList<>();
        long usedAt = System.currentTimeMillis() - 60_000;
        for (int i = 0; i < count; i++) {
            String queue = "q" + i;
            replies.add(async.sadd("{taskqueue}:queues", queue));
            replies.add(async.zadd("{taskqueue}:queue-use", usedAt, queue));
            replies.add(async.xgroupCreate(XReadArgs.StreamOffset.from("{taskqueue:" + queue + "}:s:0",
                    "0"), "workers", XGroupCreateArgs.Builder.mkstream()));
        }
        for (RedisFuture<?> reply : replies) {
            reply.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Redis's work over {@code window}.
     *
     * @param commandsPerSecond commands run, those run by scripts included
     * @param usecPerSecond microseconds Redis spent running them, per second
     * @param cpu share of a core the Redis process used (user and system)
     * @param top the commands run most, with their calls per second
     */
    record IdleCost(double commandsPerSecond, double usecPerSecond, double cpu, String top) {

        @Override
        public String toString() {
            return String.format("%,.0f commands/s, %,.0f µs/s in commands, Redis CPU %.1f%% of a core; %s",
                    commandsPerSecond, usecPerSecond, cpu * 100, top);
        }
    }

    private IdleCost measure(Duration window) throws InterruptedException {
        redis.configResetstat();
        double cpuBefore = cpuSeconds();
        long started = System.nanoTime();
        Thread.sleep(window.toMillis());
        Map<String, long[]> stats = commandStats();
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (cpuSeconds() - cpuBefore) / seconds;
        long calls = stats.values().stream().mapToLong(s -> s[0]).sum();
        long usec = stats.values().stream().mapToLong(s -> s[1]).sum();
        String top = stats.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .limit(6).map(e -> String.format("%s %,.1f/s", e.getKey(), e.getValue()[0] / seconds))
                .collect(Collectors.joining(", "));
        return new IdleCost(calls / seconds, usec / seconds, cpu, top);
    }

    /** {@code INFO commandstats}: calls and microseconds by command. */
    private Map<String, long[]> commandStats() {
        Map<String, long[]> stats = new TreeMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                Map<String, String> fields = new TreeMap<>();
                for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                    fields.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
                }
                stats.put(line.substring("cmdstat_".length(), line.indexOf(':')), new long[] {
                        Long.parseLong(fields.get("calls")), Long.parseLong(fields.get("usec")) });
            }
        }
        return stats;
    }

    /** {@code used_cpu_user + used_cpu_sys} of the Redis process, in seconds. */
    private double cpuSeconds() {
        double total = 0;
        for (String line : redis.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }
}
