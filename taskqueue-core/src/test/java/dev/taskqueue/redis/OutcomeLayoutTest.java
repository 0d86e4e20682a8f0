package dev.taskqueue.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskError;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.Outcome.Description;
import dev.taskqueue.broker.Outcome.Releases;
import dev.taskqueue.broker.QueueBrowser.Listing;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of outcome, as {@link OutcomeLayout} writes it, acknowledged by the real ACKNOWLEDGE script: every field of
 * its layout lands where the script puts it (record, dead letter, next attempt, released keys). A field written at
 * a position the script does not read it from, or a local the script reads under another name, fails here. Each
 * value is distinct, so that a field read in another's place shows.
 */
class OutcomeLayoutTest {

    private static final String WORKER = "w";
    private static final String Q = "{taskqueue:default}";
    private static final long TTL = 61_000;
    private static final String CONTEXT = "{\"root\":\"root-1\",\"headers\":{\"traceparent\":\"00-x\"}}";

    private static final Description DESCRIPTION = new Description("[\"hi\"]", "parent-1", 25, 1_000, CONTEXT);

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void aSuccessKeepsItsResultAndDescriptionInTheRecord() {
        Delivery task = claimedHoldingKeys("order-1", "tenant-1");

        acknowledge(Outcome.succeeded(task, "\"done\"").task("test.echo", 3).record(true, TTL)
                .releasing(new Releases("order-1", "tenant-1")).describing(DESCRIPTION).build());

        Map<String, String> record = record(task);
        assertRan(record, "SUCCESS");
        assertThat(record).containsEntry("result", "\"done\"").containsEntry("args", "[\"hi\"]")
                .containsEntry("parent", "parent-1").containsEntry("submitted", "1000").containsEntry("ctx", CONTEXT)
                .doesNotContainKeys("error.type", "error.message", "error.stack", "next");
        assertThat(ranFor(record)).isEqualTo(25);
        assertLivesFor(task);
        assertFinished(task, "order-1", "tenant-1");
        assertThat(redis.xlen(Q + ":dead")).isZero();
    }

    @Test
    void aSuccessWithNothingToReleaseGoesShorterAndKeepsTheSameRecord() {
        Delivery kept = claimed();
        Delivery next = claimedHoldingKeys("order-4", "tenant-4");
        Outcome plain = Outcome.succeeded(kept, "\"kept\"").task("test.echo", 3).record(true, TTL)
                .describing(new Description("[\"hi\"]", null, 25, 1_000, null)).build();
        assertThat(OutcomeLayout.Layout.of(plain)).isEqualTo(OutcomeLayout.Layout.KEPT);

        // the outcome after the shorter one is read from where it ends
        assertThat(tq.broker.acknowledge(WORKER, List.of(plain, Outcome.succeeded(next, "\"next\"")
                .task("test.echo", 3).record(true, TTL).releasing(new Releases("order-4", "tenant-4"))
                .describing(DESCRIPTION).build()))).containsExactly(true, true);

        Map<String, String> record = record(kept);
        assertRan(record, "SUCCESS");
        assertThat(record).containsEntry("result", "\"kept\"").containsEntry("args", "[\"hi\"]")
                .containsEntry("submitted", "1000").doesNotContainKeys("parent", "ctx", "error.type", "next", "dead");
        assertThat(ranFor(record)).isEqualTo(25);
        assertLivesFor(kept);
        assertGone(kept);
        assertThat(record(next)).containsEntry("result", "\"next\"").containsEntry("parent", "parent-1");
        assertFinished(next, "order-4", "tenant-4");
    }

    @Test
    void aSuccessWithoutAnEarlierRecordReadsNothingBack() {
        Delivery task = claimed();
        long reads = SharedRedis.calls("hmget");
        long lengths = SharedRedis.calls("hlen");

        acknowledge(Outcome.succeeded(task, "\"done\"").task("test.echo", 3).record(true, TTL)
                .describing(new Description("[\"hi\"]", null, 25, 1_000, null)).build());

        // its HSET counted every field new, and the record had no TTL (PEXPIRE NX set it): it created the record,
        // so there is nothing to clear and nobody to wake, and nothing is read (Redis 6.2, without NX, asks HLEN)
        assertThat(SharedRedis.calls("hmget")).isEqualTo(reads);
        assertThat(SharedRedis.calls("hlen") - lengths).isEqualTo(redisMajorVersion() >= 7 ? 0 : 1);
        assertRan(record(task), "SUCCESS");
        assertLivesFor(task);
    }

    @Test
    void aSuccessReadsARecordThatWasThereWithOtherFieldsAndKeepsItForTheTtl() {
        Delivery task = claimed();
        String key = Q + ":t:" + task.taskId();
        // a field no outcome writes, under a TTL of its own, as a waiter's registration leaves it
        redis.hset(key, Map.of("notify", "instance-1"));
        redis.pexpire(key, 5_000);
        long reads = SharedRedis.calls("hmget");

        acknowledge(Outcome.succeeded(task, "\"done\"").task("test.echo", 3).record(true, TTL)
                .describing(new Description("[\"hi\"]", null, 25, 1_000, null)).build());

        assertThat(SharedRedis.calls("hmget")).as("the record is read: someone may wait").isEqualTo(reads + 1);
        assertThat(record(task)).containsEntry("state", "SUCCESS").doesNotContainKey("notify");
        assertLivesFor(task);
    }

    @Test
    void aSuccessClearsWhatAnEarlierAttemptLeftInTheRecord() {
        Delivery task = claimedHoldingKeys("order-3", "tenant-3");
        // as a retried attempt, then a dead letter requeued by hand, leave it
        redis.hset(Q + ":t:" + task.taskId(), Map.of("state", "RETRY", "error.type", "java.io.IOException",
                "error.message", "timed out", "error.stack", "at x", "next", "1000", "dead", "1-0"));

        acknowledge(Outcome.succeeded(task, "\"done\"").task("test.echo", 3).record(true, TTL)
                .releasing(new Releases("order-3", "tenant-3")).describing(DESCRIPTION).build());

        assertThat(record(task)).containsEntry("state", "SUCCESS").containsEntry("result", "\"done\"")
                .doesNotContainKeys("error.type", "error.message", "error.stack", "next", "dead");
    }

    @Test
    void aSuccessWithoutRecordIsAcknowledgedAndReleasesItsKeys() {
        Delivery task = claimedHoldingKeys("order-2", "tenant-2");

        acknowledge(Outcome.succeeded(task, null).task("test.echo", 3).record(false, TTL)
                .releasing(new Releases("order-2", "tenant-2")).describing(DESCRIPTION).build());

        assertThat(record(task)).doesNotContainEntry("state", "SUCCESS").doesNotContainKeys("result", "args",
                "parent", "started");
        assertFinished(task, "order-2", "tenant-2");
    }

    @Test
    void aFailureGoesToTheDeadLettersAndTheRecord() {
        Delivery task = claimedHoldingKeys("order-3", "tenant-3");
        TaskError error = new TaskError("java.io.IOException", "disk full", "at x.Y.z(Y.java:1)", false);

        acknowledge(Outcome.failed(task, error, "failed after 3 attempt(s): java.io.IOException")
                .task("test.echo", 3).record(true, TTL).releasing(new Releases("order-3", "tenant-3"))
                .describing(DESCRIPTION).build());

        assertThat(deadLetter()).containsEntry("i", task.taskId()).containsEntry("m", new String(task.body(), UTF_8))
                .containsEntry("task", "test.echo")
                .containsEntry("reason", "failed after 3 attempt(s): java.io.IOException")
                .containsEntry("error", "java.io.IOException").containsEntry("message", "disk full")
                .containsEntry("stack", "at x.Y.z(Y.java:1)").containsEntry("worker", WORKER)
                .containsEntry("deliveries", "1").containsEntry("attempt", "3");
        Map<String, String> record = record(task);
        assertRan(record, "FAILURE");
        assertThat(record).containsEntry("error.type", "java.io.IOException").containsEntry("error.message", "disk full")
                .containsEntry("error.stack", "at x.Y.z(Y.java:1)").containsEntry("args", "[\"hi\"]")
                .containsEntry("parent", "parent-1").containsEntry("submitted", "1000");
        assertThat(ranFor(record)).isEqualTo(25);
        assertLivesFor(task);
        assertFinished(task, "order-3", "tenant-3");
        String letter = redis.xrange(Q + ":dead", Range.create("-", "+")).get(0).getId();
        assertThat(record).containsEntry("dead", letter);
        assertThat(failure()).containsEntry("i", task.taskId()).containsEntry("n", "test.echo")
                .containsEntry("s", "FAILURE").containsEntry("et", "java.io.IOException").containsEntry("em", "disk full")
                .containsEntry("w", WORKER).containsEntry("a", "3").containsEntry("dl", letter);
        assertThat(redis.lrange(Q + ":a:" + task.taskId(), 0, -1)).singleElement().satisfies(json -> assertThat(
                tq.mapper.readTree(json)).isEqualTo(tq.mapper.readTree("""
                        {"a": 3, "w": "w", "st": "FAILURE", "et": "java.io.IOException", "em": "disk full",
                         "es": "at x.Y.z(Y.java:1)", "f": %s, "s": %s}""".formatted(record.get("finished"),
                        Long.parseLong(record.get("finished")) - 25))));
        assertThat(redis.pttl(Q + ":a:" + task.taskId())).isBetween(TTL - 5_000, TTL);
        assertThat(redis.xrange(Q + ":done", Range.create("-", "+"))).singleElement().extracting(m -> m.getBody())
                .isEqualTo(Map.of("t", "[[\"" + task.taskId() + "\"],[\"test.echo\"],[\"FAILURE\"]]"));
    }

    @Test
    void aQuarantinedMessageGoesAsStoredToTheDeadLetters() {
        Delivery task = claimed();
        String reason = "corrupt message: not JSON";

        acknowledge(Outcome.quarantined(task, new TaskError(Outcome.QUARANTINE_ERROR, reason, null, false), reason)
                .record(true, TTL).build());

        assertThat(deadLetter()).containsEntry("i", task.taskId()).containsEntry("m", new String(task.body(), UTF_8))
                .containsEntry("task", "").containsEntry("reason", reason)
                .containsEntry("error", Outcome.QUARANTINE_ERROR).containsEntry("message", reason)
                .containsEntry("stack", "").containsEntry("worker", WORKER).containsEntry("deliveries", "1")
                .containsEntry("attempt", "0");
        assertThat(record(task)).containsEntry("state", "FAILURE").containsEntry("attempt", "0")
                .containsEntry("error.type", Outcome.QUARANTINE_ERROR).containsEntry("error.message", reason);
        assertLivesFor(task);
        assertGone(task);
    }

    @Test
    void aRevocationKeepsItsReasonInTheRecord() {
        Delivery task = claimedHoldingKeys("order-5", "tenant-5");

        acknowledge(Outcome.revoked(task, "expired: it had not started by 2030-01-01T00:00:00Z").task("test.echo", 0)
                .record(true, TTL).releasing(new Releases("order-5", "tenant-5"))
                .describing(new Description("[\"hi\"]", "parent-1", -1, 1_000)).build());

        assertThat(record(task)).containsEntry("state", "REVOKED").containsEntry("task", "test.echo")
                .containsEntry("error.type", "dev.taskqueue.TaskRevokedException")
                .containsEntry("error.message", "expired: it had not started by 2030-01-01T00:00:00Z")
                .containsEntry("args", "[\"hi\"]").containsEntry("parent", "parent-1")
                .containsEntry("submitted", "1000").doesNotContainKeys("started", "ctx", "queue");
        assertLivesFor(task);
        assertFinished(task, "order-5", "tenant-5");
        assertThat(redis.xlen(Q + ":dead")).isZero();
    }

    @Test
    void aRetryWaitsAsItsNextAttemptAndKeepsItsUniquenessKey() {
        Delivery task = claimedHoldingKeys("order-6", "tenant-6");
        TaskError error = new TaskError("java.net.SocketTimeoutException", "slow", "at a.B.c(B.java:2)", true);
        long before = redisMillis();

        acknowledge(Outcome.retry(task, error, new Outcome.Retry("next attempt".getBytes(UTF_8), 7, 50_000))
                .task("test.echo", 3).record(true, TTL).releasing(new Releases("order-6", "tenant-6"))
                .describing(DESCRIPTION).build());

        long after = redisMillis();
        assertThat(redis.hget(Q + ":dp", task.taskId())).isEqualTo("7next attempt");
        assertThat(redis.zscore(Q + ":d", task.taskId())).isBetween(before + 50_000.0, after + 50_000.0);
        Map<String, String> record = record(task);
        assertRan(record, "RETRY");
        assertThat(record).containsEntry("error.type", "java.net.SocketTimeoutException").containsEntry("error.message", "slow")
                .containsEntry("error.stack", "at a.B.c(B.java:2)").containsEntry("args", "[\"hi\"]");
        assertThat(Long.parseLong(record.get("next"))).isBetween(before + 50_000, after + 50_000);
        assertLivesFor(task);
        assertGone(task);
        assertThat(redis.get(Q + ":u:order-6")).isEqualTo(task.taskId()); // the task is not over
        assertThat(redis.zscore(Q + ":c:tenant-6", task.taskId())).isNull();
        assertThat(redis.zscore(Q + ":cw:tenant-6", waiter("tenant-6"))).isNull();
        assertThat(redis.xlen(Q + ":dead")).isZero();
        assertThat(redis.zscore(Q + ":retrying", task.taskId())).isEqualTo(redis.zscore(Q + ":d", task.taskId()));
        assertThat(failure()).containsEntry("s", "RETRY").containsEntry("dl", "").containsEntry("em", "slow");
        assertThat(redis.llen(Q + ":a:" + task.taskId())).isEqualTo(1);
        assertThat(redis.xlen(Q + ":done")).isZero(); // not finished: it runs again

        tq.broker.promoteDue("default", 10); // not due: stays retrying
        assertThat(redis.zscore(Q + ":retrying", task.taskId())).isNotNull();
        redis.zadd(Q + ":d", 0, task.taskId());
        tq.broker.promoteDue("default", 10);
        assertThat(redis.zscore(Q + ":retrying", task.taskId())).isNull();
    }

    /** Each outcome starts where the one before it ended, whatever their kinds and lengths. */
    @Test
    void aBatchOfEveryKindIsReadOutcomeByOutcome() {
        List<Delivery> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tasks.add(claimedHoldingKeys("order-" + (10 + i), "tenant-" + (10 + i)));
        }
        TaskError error = new TaskError("java.io.IOException", "disk full", null, false);
        List<Outcome> batch = List.of(
                Outcome.succeeded(tasks.get(0), null).task("test.echo", 1).record(false, TTL)
                        .releasing(new Releases("order-10", "tenant-10")).build(),
                Outcome.retry(tasks.get(1), error, new Outcome.Retry("next".getBytes(UTF_8), 3, 60_000))
                        .task("test.echo", 1).record(true, TTL).releasing(new Releases(null, "tenant-11")).build(),
                Outcome.failed(tasks.get(2), error, "failed").task("test.echo", 1).record(true, TTL)
                        .releasing(new Releases("order-12", "tenant-12")).build(),
                Outcome.revoked(tasks.get(3), "revoked").task("test.echo", 0).record(true, TTL)
                        .releasing(new Releases("order-13", "tenant-13")).build(),
                Outcome.quarantined(tasks.get(4), new TaskError(Outcome.QUARANTINE_ERROR, "bad", null, false), "bad")
                        .record(true, TTL).build(),
                Outcome.succeeded(tasks.get(5), "42").task("test.echo", 1).record(true, TTL)
                        .releasing(new Releases("order-15", "tenant-15")).build());

        assertThat(tq.broker.acknowledge(WORKER, batch)).containsOnly(true).hasSize(6);

        assertThat(record(tasks.get(0))).doesNotContainKey("result");
        assertThat(record(tasks.get(1))).containsEntry("state", "RETRY");
        assertThat(record(tasks.get(2))).containsEntry("state", "FAILURE").containsEntry("error.message", "disk full");
        assertThat(record(tasks.get(3))).containsEntry("state", "REVOKED").containsEntry("error.message", "revoked");
        assertThat(record(tasks.get(4))).containsEntry("state", "FAILURE").containsEntry("error.message", "bad");
        assertThat(record(tasks.get(5))).containsEntry("state", "SUCCESS").containsEntry("result", "42");
        assertThat(redis.xrange(Q + ":dead", Range.create("-", "+"))).extracting(m -> m.getBody().get("i"))
                .containsExactly(tasks.get(2).taskId(), tasks.get(4).taskId());
        assertThat(redis.hget(Q + ":dp", tasks.get(1).taskId())).isEqualTo("3next");
        tasks.forEach(this::assertGone);
        assertThat(redis.xlen(Q + ":done")).isOne(); // the finished tasks with a record, in one entry
        assertThat(tq.stores.browser().tasks("default", Listing.RESULTS, null, 10).tasks())
                .extracting(BrowsedTask::id, BrowsedTask::state).containsExactly(tuple(tasks.get(5).taskId(),
                        "SUCCESS"), tuple(tasks.get(4).taskId(), "FAILURE"), tuple(tasks.get(3).taskId(), "REVOKED"),
                        tuple(tasks.get(2).taskId(), "FAILURE"));
        for (int i : new int[] { 0, 2, 3, 5 }) {
            assertReleased(tasks.get(i), "order-" + (10 + i), "tenant-" + (10 + i));
        }
    }

    /**
     * A stored success whose stream, TTL, task name and attempt are those of the outcome before it, and whose record
     * is the key after that one's, leaves them out; any of them different, or an outcome before it without them, and
     * it carries its own.
     */
    @Test
    void aSuccessLikeTheOneBeforeItTakesWhatTheyShareFromIt() {
        List<Delivery> tasks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            tasks.add(i == 5 ? claimedHoldingKeys("order-5", "tenant-5") : claimed());
        }
        long otherTtl = TTL + 7_000;
        List<Outcome> batch = List.of(
                kept(tasks.get(0), 0, "test.echo", 1, TTL),
                kept(tasks.get(1), 1, "test.echo", 1, TTL), // as the one before
                kept(tasks.get(2), 2, "test.echo", 2, TTL), // another attempt
                kept(tasks.get(3), 3, "test.echo", 2, TTL), // as the one before: attempt 2
                Outcome.succeeded(tasks.get(4), null).task("test.echo", 2).record(false, TTL).build(), // no record
                Outcome.succeeded(tasks.get(5), "\"r5\"").task("test.add", 2).record(true, otherTtl)
                        .releasing(new Releases("order-5", "tenant-5")).describing(DESCRIPTION).build(),
                kept(tasks.get(6), 6, "test.add", 2, otherTtl)); // its record is not the next key: keys came between
        assertThat(letters(batch)).containsExactly('K', 'k', 'K', 'k', 'A', 'S', 'K');

        assertThat(tq.broker.acknowledge(WORKER, batch)).containsOnly(true).hasSize(7);

        int[] attempts = { 1, 1, 2, 2 };
        for (int i = 0; i < 4; i++) {
            assertThat(record(tasks.get(i))).as("task %d", i).containsEntry("state", "SUCCESS")
                    .containsEntry("task", "test.echo").containsEntry("attempt", Integer.toString(attempts[i]))
                    .containsEntry("result", "\"r" + i + "\"");
            assertLivesFor(tasks.get(i));
        }
        assertThat(record(tasks.get(6))).containsEntry("task", "test.add").containsEntry("attempt", "2")
                .containsEntry("result", "\"r6\"");
        assertThat(redis.pttl(Q + ":t:" + tasks.get(6).taskId())).isBetween(otherTtl - 5_000, otherTtl);
        assertFinished(tasks.get(5), "order-5", "tenant-5");
        tasks.forEach(this::assertGone);
    }

    /**
     * Each field a shorter form leaves out must follow from the outcome before it: one that differs, in any of them, or
     * an outcome before it that lacks them, and the success carries its own.
     */
    @Test
    void aWriterShortensOnlyWhatFollowsFromTheOutcomeBefore() {
        List<Outcome> batch = List.of(
                kept(delivery("0", 0), 0, "test.echo", 1, TTL),
                kept(delivery("0", 1), 1, "test.echo", 1, TTL + 1), // another TTL
                kept(delivery("0", 2), 2, "test.add", 1, TTL + 1), // another task
                kept(delivery("9", 3), 3, "test.add", 1, TTL + 1), // another stream
                kept(delivery("0", 4), 4, "test.add", 1, TTL + 1), // back to the first stream: not the one before
                Outcome.succeeded(delivery("0", 5), null).task("test.add", 1).record(false, TTL + 1).build(),
                kept(delivery("0", 6), 6, "test.add", 1, TTL + 1), // after one that has no record
                Outcome.succeeded(delivery("0", 7), "\"r7\"").task("test.add", 1).record(true, TTL + 1)
                        .describing(DESCRIPTION).build(), // a parent and a context: the longer form
                kept(delivery("0", 8), 8, "test.add", 1, TTL + 1), // no context after one with a context
                kept(delivery("0", 9), 9, "test.add", 1, TTL + 1)); // its record is the key after that one's

        assertThat(letters(batch)).containsExactly('K', 'K', 'K', 'K', 'K', 'A', 'K', 'S', 'K', 'k');
    }

    /**
     * A chord's members: a context (their root and successor) and no parent. They go as stored successes, and those
     * after the first take the context, with the rest they share, from the one before: each record keeps it.
     */
    @Test
    void membersOfAChordShareTheirContextAndEachRecordKeepsIt() {
        List<Delivery> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(claimed());
        }
        String otherContext = "{\"root\":\"root-2\"}";
        List<Outcome> batch = List.of(member(tasks.get(0), 0, CONTEXT), member(tasks.get(1), 1, CONTEXT),
                member(tasks.get(2), 2, CONTEXT), member(tasks.get(3), 3, otherContext)); // another chord's
        assertThat(letters(batch)).containsExactly('K', 'k', 'k', 'K');

        assertThat(tq.broker.acknowledge(WORKER, batch)).containsOnly(true).hasSize(4);

        for (int i = 0; i < 4; i++) {
            assertThat(record(tasks.get(i))).as("task %d", i).containsEntry("state", "SUCCESS")
                    .containsEntry("result", "\"r" + i + "\"").containsEntry("args", "[\"hi\"]")
                    .containsEntry("submitted", "1000").containsEntry("ctx", i < 3 ? CONTEXT : otherContext)
                    .doesNotContainKey("parent");
            assertLivesFor(tasks.get(i));
        }
    }

    private static Outcome member(Delivery task, int i, String context) {
        return Outcome.succeeded(task, "\"r" + i + "\"").task("test.echo", 1).record(true, TTL)
                .describing(new Description("[\"hi\"]", null, 25, 1_000, context)).build();
    }

    private static Delivery delivery(String stream, int i) {
        return new Delivery("default", stream, "1-" + i, "task-" + i, new byte[0], 1, false);
    }

    /**
     * The kind letters of {@code batch} as the acknowledgement writes it (its {@link RedisOutcomes.Batch}, which
     * numbers the keys), read back form by form after the script's 13 fixed arguments.
     */
    private List<Character> letters(List<Outcome> batch) {
        RedisOutcomes.Batch written = new RedisOutcomes(tq.connections, new RedisKeys(TaskQueueFixture.PREFIX),
                RedisStores.DeadLetterPolicy.DEFAULT).new Batch("default", WORKER);
        batch.forEach(written::add);
        byte[][] args = written.args();
        List<Character> letters = new ArrayList<>();
        for (int i = 13; i < args.length; i++) {
            char letter = (char) args[i][0];
            letters.add(letter);
            i += Stream.of(OutcomeLayout.Layout.values()).filter(layout -> layout.letter == letter).findFirst()
                    .orElseThrow().fields.size();
        }
        return letters;
    }

    private static int redisMajorVersion() {
        String info = SharedRedis.admin().sync().info("server");
        String version = info.substring(info.indexOf("redis_version:") + "redis_version:".length());
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** A stored success with nothing to release, no parent and no context, its result {@code "r<i>"}. */
    private static Outcome kept(Delivery task, int i, String name, int attempt, long ttl) {
        return Outcome.succeeded(task, "\"r" + i + "\"").task(name, attempt).record(true, ttl)
                .describing(new Description("[\"hi\"]", null, 25, 1_000, null)).build();
    }

    /**
     * The finished list keeps about {@link RedisQueueBrowser#RESULTS_KEPT} tasks, however many each entry lists: a
     * bound counted in entries would keep {@code RESULTS_KEPT} batches.
     */
    @Test
    void theFinishedListKeepsAboutAsManyTasksWhateverTheBatchSize() {
        int batch = 500;
        int total = RedisQueueBrowser.RESULTS_KEPT * 3 / 2;
        List<TaskCall<?>> calls = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            calls.add(TaskCall.of("test.echo", "v" + i));
        }
        tq.client.submitAll(calls);
        for (int acknowledged = 0; acknowledged < total; acknowledged += batch) {
            List<Outcome> outcomes = tq.broker.claim(WORKER, List.of("default"), batch).stream()
                    .map(task -> Outcome.succeeded(task, "1").task("test.echo", 1).record(true, TTL).build())
                    .toList();
            assertThat(tq.broker.acknowledge(WORKER, outcomes)).hasSize(batch).containsOnly(true);
        }

        long listed = redis.xlen(Q + ":done") * batch; // every entry lists a batch
        assertThat(listed).isBetween((long) RedisQueueBrowser.RESULTS_KEPT,
                RedisQueueBrowser.RESULTS_KEPT + 2L * batch);
    }

    /** A submitted task, claimed by {@link #WORKER}. */
    private Delivery claimed() {
        tq.client.submit("test.echo", "hi");
        return tq.broker.claim(WORKER, List.of("default"), 1).get(0);
    }

    /**
     * A submitted task, claimed by {@link #WORKER}, as if it held uniqueness key {@code unique} and a permit of
     * {@code permit}, for which another task waits.
     */
    private Delivery claimedHoldingKeys(String unique, String permit) {
        Delivery task = claimed();
        redis.set(Q + ":u:" + unique, task.taskId());
        redis.zadd(Q + ":c:" + permit, 1, task.taskId());
        redis.zadd(Q + ":cw:" + permit, 1, waiter(permit));
        redis.zadd(Q + ":d", 9e12, waiter(permit));
        return task;
    }

    private static String waiter(String permit) {
        return "waiting-for-" + permit;
    }

    private void acknowledge(Outcome outcome) {
        assertThat(tq.broker.acknowledge(WORKER, List.of(outcome))).containsExactly(true);
    }

    private Map<String, String> record(Delivery task) {
        return redis.hgetall(Q + ":t:" + task.taskId());
    }

    private Map<String, String> failure() {
        List<StreamMessage<String, String>> failures = redis.xrange(Q + ":failures", Range.create("-", "+"));
        assertThat(failures).hasSize(1);
        return failures.get(0).getBody();
    }

    private Map<String, String> deadLetter() {
        List<StreamMessage<String, String>> dead = redis.xrange(Q + ":dead", Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        return dead.get(0).getBody();
    }

    /** The record of a third attempt of test.echo on {@link #WORKER}, in {@code state}. */
    private static void assertRan(Map<String, String> record, String state) {
        assertThat(record).containsEntry("state", state).containsEntry("worker", WORKER)
                .containsEntry("task", "test.echo").containsEntry("attempt", "3")
                .as("its queue is its key's, not a field").doesNotContainKey("queue");
    }

    /** How long the record says the handler ran: its end minus its start. */
    private static long ranFor(Map<String, String> record) {
        return Long.parseLong(record.get("finished")) - Long.parseLong(record.get("started"));
    }

    private void assertLivesFor(Delivery task) {
        assertThat(redis.pttl(Q + ":t:" + task.taskId())).isBetween(TTL - 5_000, TTL);
    }

    /** Acknowledged and deleted from its stream. */
    private void assertGone(Delivery task) {
        String stream = Q + ":s:" + task.stream();
        assertThat(redis.xrange(stream, Range.create(task.entryId(), task.entryId()))).isEmpty();
        assertThat(redis.xpending(stream, RedisKeys.GROUP).getCount()).isZero();
    }

    /** Gone from its stream, with its uniqueness key and permit. */
    private void assertFinished(Delivery task, String unique, String permit) {
        assertGone(task);
        assertReleased(task, unique, permit);
    }

    /** Its uniqueness key and permit are free, and the task waiting for that permit is due now. */
    private void assertReleased(Delivery task, String unique, String permit) {
        assertThat(redis.exists(Q + ":u:" + unique)).isZero();
        assertThat(redis.zscore(Q + ":c:" + permit, task.taskId())).isNull();
        assertThat(redis.zscore(Q + ":cw:" + permit, waiter(permit))).isNull();
        assertThat(redis.zscore(Q + ":d", waiter(permit))).isLessThan(9e12);
    }

    private long redisMillis() {
        List<String> time = redis.time();
        return Long.parseLong(time.get(0)) * 1_000 + Long.parseLong(time.get(1)) / 1_000;
    }
}
