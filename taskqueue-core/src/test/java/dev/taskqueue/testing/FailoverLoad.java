package dev.taskqueue.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.ReplicationException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.redis.RedisStores;
import dev.taskqueue.redis.RedisStores.Durability;
import dev.taskqueue.redis.RedisConnections;
import dev.taskqueue.worker.Worker;
import dev.taskqueue.worker.WorkerSettings;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load through a Redis failover: two applications, each with its own Lettuce client, as in production. The
 * producer submits about 300 tasks a second from one thread with {@code taskqueue.submit.replicas=1}; the worker
 * (production defaults but for a 10 s visibility timeout: heartbeat 1 s, poll 2 s) runs short tasks. After the
 * failover it checks the delivery contract on the new master:
 * <ol>
 * <li>every submit returned, or threw {@link BrokerUnavailableException} or {@link ReplicationException}, within
 * {@link #SUBMIT_BOUND} (never a hang);</li>
 * <li>every submit that returned has its task run and recorded SUCCESS on the new master: none was lost;</li>
 * <li>the worker resumed by itself; the time from the failover to the first task the new master recorded as done
 * (after its promotion) is printed as {@code FAILOVER-TEST <label> resumed in N ms}.</li>
 * </ol>
 */
public final class FailoverLoad implements AutoCloseable {

    /** {@code spring.data.redis.timeout} of both applications. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** {@code taskqueue.submit.replica-timeout}. */
    public static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(1);
    /** A submit's script, then {@code WAIT} (its timeout plus the command timeout), and a second of slack. */
    public static final Duration SUBMIT_BOUND = COMMAND_TIMEOUT.multipliedBy(2).plus(REPLICA_TIMEOUT).plusSeconds(1);

    /** {@code taskqueue.worker.visibility-timeout} of the worker. */
    public static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(10);

    private static final String PREFIX = "taskqueue";
    /** The producer's pace: about 300 submits a second. */
    private static final long PAUSE_MILLIS = 3;
    private static final long TASK_MILLIS = 2;

    /** One submit: its task id if it returned, else what it threw. */
    private record Submit(String key, @Nullable String id, long startedAt, long endedAt, @Nullable Throwable error) {

        long millis() {
            return endedAt - startedAt;
        }
    }

    public final FailoverTasks tasks = new FailoverTasks();
    private final RedisStores producerStores;
    private final DefaultTaskClient client;
    private final RedisStores workerStores;
    private final Worker worker;
    private final List<Submit> submits = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile boolean producing;
    private @Nullable Thread producer;
    private volatile long failedOverAt = Long.MAX_VALUE;
    private volatile long promotedAt = Long.MAX_VALUE;

    /** Wires a producer application on {@code producerRedis} and a worker application on {@code workerRedis}. */
    public FailoverLoad(RedisConnections producerRedis, RedisConnections workerRedis) {
        JsonMapper mapper = JsonMapper.builder().build();
        MessageCodec codec = new MessageCodec(mapper);
        TaskRegistry registry = new TaskRegistry(mapper, "default");
        registry.register("failoverTasks", tasks, FailoverTasks.class);
        producerStores = new RedisStores(producerRedis, PREFIX, RedisStores.Options.DEFAULTS
                .withDurability(new Durability(1, REPLICA_TIMEOUT)).withResultTtl(Duration.ofHours(1)));
        client = new DefaultTaskClient(producerStores.broker(), producerStores.results(), producerStores.workflows(),
                producerStores.admin(), registry, codec, ClientSettings.DEFAULTS, TaskEventListener.of(List.of()),
                Clock.systemUTC());
        workerStores = new RedisStores(workerRedis, PREFIX);
        // An acknowledgement that reached only the old master is lost with it: the new master still has the task
        // pending for this (live) worker, and gives it to another run after the visibility timeout, shortened here.
        worker = new Worker(workerStores.broker(), workerStores.workflows(), registry, codec,
                WorkerSettings.builder().queue(FailoverTasks.QUEUE).concurrency(8).visibilityTimeout(VISIBILITY_TIMEOUT)
                        .shutdownTimeout(Duration.ofSeconds(2)).build(), TaskEventListener.of(List.of()),
                Clock.systemUTC());
    }

    /**
     * Starts the worker and the producer, waits until tasks flow, then submits a backlog of slower tasks so that
     * work waits in the queue when the master fails: the worker resumes on it.
     */
    public void start() {
        worker.start();
        producing = true;
        producer = new Thread(this::produce, "failover-producer");
        producer.start();
        awaitUntil("100 tasks run before the failover", Duration.ofSeconds(20), () -> tasks.completed.get() >= 100);
        backlog(400);
    }

    private void produce() {
        while (producing) {
            String key = "k" + sequence.incrementAndGet();
            long started = System.currentTimeMillis();
            try {
                TaskHandle<String> handle = client.submit(FailoverTasks::work, key, TASK_MILLIS);
                submits.add(new Submit(key, handle.id(), started, System.currentTimeMillis(), null));
            }
            catch (RuntimeException ex) {
                submits.add(new Submit(key, null, started, System.currentTimeMillis(), ex));
            }
            sleep(PAUSE_MILLIS);
        }
    }

    /** Submits {@code count} slower tasks at once, acknowledged like the others. */
    private void backlog(int count) {
        List<TaskCall<?>> calls = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add("b" + i);
            calls.add(TaskCall.of(FailoverTasks::work, keys.get(i), 20L));
        }
        long started = System.currentTimeMillis();
        List<TaskHandle<?>> handles = client.submitAll(calls);
        for (int i = 0; i < count; i++) {
            submits.add(new Submit(keys.get(i), handles.get(i).id(), started, System.currentTimeMillis(), null));
        }
    }

    /** Fails the master over with {@code action}, and waits until {@code promoted} (polled every 10 ms) holds. */
    public void failOver(Runnable action, BooleanSupplier promoted) {
        failedOverAt = System.currentTimeMillis();
        action.run();
        awaitUntil("the replica's promotion", Duration.ofSeconds(30), promoted);
        promotedAt = System.currentTimeMillis();
    }

    /** Whether the server on {@code connection} says it is a master now ({@code ROLE}). */
    public static boolean isMaster(StatefulRedisConnection<String, String> connection) {
        try {
            return "master".equals(connection.sync().role().get(0));
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /** Stops producing: the producer thread ends within a submit's bound, or a submit hung. */
    private boolean stopProducing() {
        producing = false;
        Thread thread = producer;
        if (thread == null) {
            return true;
        }
        try {
            thread.join(SUBMIT_BOUND.toMillis() + 1_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Keeps producing until 100 submits made after the promotion returned (at most 30 s), then checks the contract
     * against the new master at {@code newMaster}, prints the figures, and returns the time from the failover to the
     * first task recorded done by the new master after its promotion.
     */
    public long verify(String label, RedisURI newMaster) {
        awaitUntil("100 submits acknowledged after the promotion", Duration.ofSeconds(30), () -> {
            synchronized (submits) {
                return submits.stream().filter(s -> s.error() == null && s.startedAt() > promotedAt).count() >= 100;
            }
        });
        assertThat(stopProducing()).as("the producer stopped: no submit hung").isTrue();
        List<Submit> all;
        synchronized (submits) {
            all = List.copyOf(submits);
        }
        List<Submit> acknowledged = all.stream().filter(s -> s.error() == null).toList();
        Map<String, Long> errors = all.stream().filter(s -> s.error() != null).collect(Collectors.groupingBy(
                s -> s.error().getClass().getSimpleName(), LinkedHashMap::new, Collectors.counting()));
        long longest = all.stream().mapToLong(Submit::millis).max().orElse(0);
        RedisClient direct = RedisClient.create(newMaster);
        try (StatefulRedisConnection<String, String> connection = direct.connect()) {
            // Every acknowledged task is recorded SUCCESS on the new master, in time.
            Map<String, String> states = new LinkedHashMap<>();
            long deadline = System.currentTimeMillis() + VISIBILITY_TIMEOUT.toMillis() + 20_000;
            List<Submit> missing = acknowledged;
            while (!missing.isEmpty() && System.currentTimeMillis() < deadline) {
                sleep(200);
                records(connection, missing).forEach((id, record) -> states.put(id, record.getValueOrElse(null)));
                missing = missing.stream().filter(s -> !"SUCCESS".equals(states.get(s.id()))).toList();
            }
            // The worker resumed: the first task the new master recorded done after its promotion.
            long firstDone = Long.MAX_VALUE;
            for (KeyValue<String, String> finished : finishTimes(connection, all).values()) {
                if (finished.hasValue() && Long.parseLong(finished.getValue()) >= promotedAt) {
                    firstDone = Math.min(firstDone, Long.parseLong(finished.getValue()));
                }
            }
            long resumed = firstDone == Long.MAX_VALUE ? -1 : firstDone - failedOverAt;
            long twice = tasks.runs.values().stream().filter(n -> n.get() > 1).count();
            System.out.printf("FAILOVER-TEST %s resumed in %d ms (replica promoted %d ms after the failover; "
                    + "%d submits acknowledged, failed: %s; longest submit %d ms; %d tasks ran twice)%n", label,
                    resumed, promotedAt - failedOverAt, acknowledged.size(), errors, longest, twice);

            assertThat(all).allSatisfy(s -> {
                assertThat(s.millis()).as("submit of %s took", s.key()).isLessThanOrEqualTo(SUBMIT_BOUND.toMillis());
                if (s.error() != null) {
                    assertThat(s.error()).as("submit of %s threw", s.key())
                            .isInstanceOfAny(BrokerUnavailableException.class, ReplicationException.class);
                }
            });
            Set<String> queued = queuedTaskIds(connection);
            assertThat(missing).as("acknowledged submits not recorded SUCCESS on the new master (key, task id, "
                    + "state, runs in the worker, still in a stream?)").extracting(s -> s.key() + " " + s.id() + " "
                            + states.get(s.id()) + " runs=" + tasks.runs.get(s.key()) + " queued="
                            + queued.contains(s.id())).isEmpty();
            assertThat(acknowledged).allSatisfy(s -> assertThat(tasks.runs.get(s.key())).as("runs of %s", s.key())
                    .isNotNull());
            assertThat(resumed).as("time to the first task done on the new master").isNotNegative();
            return resumed;
        }
        finally {
            direct.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** The ids of the tasks in the queue's streams on {@code connection}'s server, waiting or held. */
    private static Set<String> queuedTaskIds(StatefulRedisConnection<String, String> connection) {
        Set<String> ids = new HashSet<>();
        for (String band : List.of("r", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")) {
            connection.sync().xrange("{" + PREFIX + ":" + FailoverTasks.QUEUE + "}:s:" + band, Range.create("-", "+"))
                    .forEach(entry -> ids.add(entry.getBody().get("i")));
        }
        return ids;
    }

    private static Map<String, KeyValue<String, String>> records(StatefulRedisConnection<String, String> connection,
            List<Submit> submits) {
        return fields(connection, submits, "state");
    }

    private static Map<String, KeyValue<String, String>> finishTimes(
            StatefulRedisConnection<String, String> connection, List<Submit> submits) {
        return fields(connection, submits.stream().filter(s -> s.id() != null).toList(), "finished");
    }

    /** One field of each submit's record, read in one pipeline. */
    private static Map<String, KeyValue<String, String>> fields(StatefulRedisConnection<String, String> connection,
            List<Submit> submits, String field) {
        Map<String, RedisFuture<String>> replies = new LinkedHashMap<>();
        for (Submit s : submits) {
            replies.put(s.id(), connection.async().hget("{" + PREFIX + ":" + FailoverTasks.QUEUE + "}:t:" + s.id(),
                    field));
        }
        LettuceFutures.awaitAll(Duration.ofSeconds(10), replies.values().toArray(RedisFuture[]::new));
        Map<String, KeyValue<String, String>> values = new LinkedHashMap<>();
        replies.forEach((id, reply) -> values.put(id, KeyValue.fromNullable(id, reply.toCompletableFuture()
                .getNow(null))));
        return values;
    }

    /** Polls {@code condition} every 10 ms until it holds, failing after {@code timeout}. */
    public static void awaitUntil(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            sleep(10);
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopProducing();
        worker.stop();
        producerStores.close();
        workerStores.close();
    }
}
