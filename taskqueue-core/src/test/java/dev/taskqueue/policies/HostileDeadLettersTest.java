package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.taskqueue.DeadLetter;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.client.DefaultTaskQueueOperations;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dead letters written by anything (an old version, a foreign producer, a hand-made XADD): one that cannot be read
 * never stops acting on the others, and however large they are, reading them stays bounded.
 */
class HostileDeadLettersTest {

    private static final String DEAD = "{taskqueue:default}:dead";

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final TaskQueueOperations operations = new DefaultTaskQueueOperations(tq.admin, tq.codec,
            tq.catalog);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
        SharedRedis.flush(); // the large letters of some tests
    }

    /** Each kind of bad letter here made requeue-all answer 500 every time (NullPointerException and others). */
    @Test
    void lettersThatCannotBeReadAreRequeuedAsStoredOrLeftAndNeverStopTheOthers() {
        dead("good-1", "{\"task\":\"test.add\",\"args\":[1,2],\"queue\":\"default\",\"created\":1,\"attempt\":3}");
        dead("no-limit", "{\"task\":\"test.add\",\"args\":[1,2],\"concurrency\":{}}");
        dead("object-header", "{\"task\":\"test.add\",\"headers\":{\"h\":{}}}");
        dead("bad-numbers", "{\"task\":\"test.add\",\"args\":[5,6],\"queue\":\"default\",\"created\":1}", "at",
                "yesterday", "attempt", "x", "deliveries", "-");
        dead("priority-42", "{\"task\":\"test.add\",\"priority\":42}");
        redis.xadd(DEAD, Map.of("m", "{\"task\":\"test.add\",\"args\":[7,8]}", "reason", "no task id"));
        dead("good-2", "{\"task\":\"test.add\",\"args\":[3,4],\"queue\":\"default\",\"created\":1,\"priority\":5,"
                + "\"attempt\":2}");
        // Redis refuses to requeue this one: its priority's stream is not a stream.
        redis.set("{taskqueue:default}:s:7", "not a stream");
        dead("refused", "{\"task\":\"test.add\",\"args\":[9,9],\"queue\":\"default\",\"created\":1,\"priority\":7}");

        List<DeadLetter> listed = operations.deadLetters("default", null, 10);
        assertThat(listed).extracting(DeadLetter::taskId).containsExactly("refused", "good-2", "", "priority-42",
                "bad-numbers", "object-header", "no-limit", "good-1");
        assertThat(listed.get(4).attempt()).isZero();
        assertThat(listed.get(4).failedAt().toEpochMilli()).isZero();

        assertThat(operations.requeueDeadLetters("default")).isEqualTo(6);

        // Fresh first attempts where the message could be read; as stored (at priority 0) where it could not.
        assertThat(entries("{taskqueue:default}:s:0")).containsExactly(
                "good-1 {\"task\":\"test.add\",\"args\":[1,2],\"queue\":\"default\",\"created\":1}",
                "no-limit {\"task\":\"test.add\",\"args\":[1,2],\"concurrency\":{}}",
                "object-header {\"task\":\"test.add\",\"headers\":{\"h\":{}}}",
                "bad-numbers {\"task\":\"test.add\",\"args\":[5,6],\"queue\":\"default\",\"created\":1}",
                "priority-42 {\"task\":\"test.add\",\"priority\":42}");
        assertThat(entries("{taskqueue:default}:s:5")).containsExactly(
                "good-2 {\"task\":\"test.add\",\"args\":[3,4],\"queue\":\"default\",\"created\":1,\"priority\":5}");
        // The letter without a task id stays, for an operator to delete, and so does the one Redis refused.
        assertThat(redis.xrange(DEAD, Range.create("-", "+"))).extracting(letter -> letter.getBody().get("i"))
                .containsExactly(null, "refused");
        assertThat(redis.keys("*")).containsExactlyInAnyOrder(DEAD, "{taskqueue:default}:s:0",
                "{taskqueue:default}:s:5", "{taskqueue:default}:s:7");

        assertThat(operations.deleteDeadLetters("default")).isEqualTo(2);
        assertThat(redis.xlen(DEAD)).isZero();
    }

    /**
     * Listing and requeueing next to large letters fetch a bounded amount, counted in the bytes Redis sent: each
     * requeue-all used to read every letter whole, twice (here 2 x 24 MB), whatever the heap it had.
     */
    @Test
    void listingAndRequeueingNextToLargeLettersReadABoundedAmount() {
        String large = "x".repeat(6 * MB); // not JSON: quarantined
        for (int i = 0; i < 4; i++) {
            dead("large-" + i, large);
        }
        dead("small", "{\"task\":\"test.add\",\"args\":[1,2],\"queue\":\"default\",\"created\":1}");

        long before = sentByRedis();
        List<DeadLetter> page = operations.deadLetters("default", null, 10);
        long listed = sentByRedis() - before;

        assertThat(page).hasSize(5);
        assertThat(page.get(1).messageSize()).isEqualTo(6 * MB);
        assertThat(page.get(1).message()).hasSizeLessThanOrEqualTo(DefaultTaskQueueOperations.LISTED_TEXT_BYTES)
                .endsWith("\u2026 [cut: 6291456 bytes in all]");
        assertThat(listed).isLessThan(5 * DefaultTaskQueueOperations.LISTED_TEXT_BYTES + 10_000);

        before = sentByRedis();
        assertThat(operations.requeueDeadLetters("default")).isEqualTo(5);
        long requeued = sentByRedis() - before;

        // A page stops past 4 MB: the four large letters, each cut to the largest message read whole (1 MB).
        assertThat(requeued).isLessThan(DefaultTaskQueueOperations.PAGE_BYTES + MB);
        // The large ones went back whole, as stored, copied by Redis itself.
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(5);
        assertThat(redis.<Long>eval("local n = 0 for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
                + "n = n + #e[2][4] end return n", io.lettuce.core.ScriptOutputType.INTEGER,
                "{taskqueue:default}:s:0")).isGreaterThan(24L * MB);
    }

    /**
     * Concurrent requeue-alls next to a 100 MB quarantined message ran out of heap (and said Redis was unreachable).
     * Here a 40 MB one, and a JVM of 32 MB heap: it cannot hold that letter once, let alone four times.
     */
    @Test
    void concurrentRequeuesNextToALetterLargerThanTheHeapRequeueEveryLetter() throws Exception {
        dead("small-1", "{\"task\":\"test.add\",\"args\":[1,2],\"queue\":\"default\",\"created\":1}");
        dead("huge", "y".repeat(40 * MB));
        dead("small-2", "{\"task\":\"test.add\",\"args\":[3,4],\"queue\":\"default\",\"created\":1}");
        dead("small-3", "{\"task\":\"test.add\",\"args\":[5,6],\"queue\":\"default\",\"created\":1}");

        Path output = Files.createTempFile("small-heap-requeue", ".log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SmallHeapRequeue.class.getName(), Integer.toString(SharedRedis.port()), "4")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
            assertThat(Files.readAllLines(output)).as(output.toString()).contains("requeued 4");
        }
        finally {
            child.destroyForcibly();
        }
        assertThat(redis.xlen(DEAD)).isZero();
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(4);
    }

    private static final int MB = 1024 * 1024;

    /** How many bytes Redis sent its clients so far. */
    private static long sentByRedis() {
        return SharedRedis.stat("total_net_output_bytes");
    }

    private void dead(String taskId, String message, String... fields) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("i", taskId);
        body.put("m", message);
        body.put("reason", "failed");
        body.put("at", "1700000000000");
        for (int i = 0; i < fields.length; i += 2) {
            body.put(fields[i], fields[i + 1]);
        }
        redis.xadd(DEAD, body);
    }

    /** A stream's entries, oldest first, as "task id, message". */
    private List<String> entries(String stream) {
        return redis.xrange(stream, Range.create("-", "+")).stream()
                .map(StreamMessage::getBody).map(f -> f.get("i") + " " + f.get("m")).collect(Collectors.toList());
    }
}
