package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every size a task leaves in Redis is bounded, whatever the task returns, throws or reports, and whatever a
 * producer sends: results ({@code taskqueue.max-result-size}), error messages, progress messages and reasons
 * ({@code max-text-size}), stack traces ({@code max-stack-trace-size}), quarantined messages
 * ({@code dead-letters.max-quarantined-size}).
 */
class SizeBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SizeTasks tasks = new SizeTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    /** Three 50 MB results added 168 MB to Redis, kept a day: max-payload-size did not cover results. */
    @Test
    void aResultLargerThanTheMaximumFailsItsTaskOnceNamingTheTaskTheSizeAndTheSetting() {
        tq.startWorker(s -> s.maxResultSize(10_000));
        TaskHandle<String> fits = tq.client.submit(SizeTasks::repeat, "x", 9_998); // 10,000 bytes with its quotes
        TaskHandle<String> large = tq.client.submit(SizeTasks::repeat, "x", 9_999);

        assertThat(fits.get(WAIT)).hasSize(9_998);
        TaskFailedException failure = failure(large);
        assertThat(failure.getRemoteType()).isEqualTo("dev.taskqueue.ResultTooLargeException");
        assertThat(failure.getRemoteMessage()).startsWith("Task size.repeat returned 10001 bytes of JSON, more than "
                + "taskqueue.max-result-size (10000 bytes): its result is not kept, and the task is not retried");
        assertThat(tasks.runs).hasValue(2); // @Retry(maxRetries = 3): not retried
        assertThat(redis.hget("{taskqueue:default}:t:" + large.id(), "result")).isNull();
        assertThat(large.state()).isEqualTo(TaskState.FAILURE);
        assertThat(onlyDeadLetter().get("error")).isEqualTo("dev.taskqueue.ResultTooLargeException");
    }

    @Test
    void theDefaultMaximumResultIsOneMegabyte() {
        tq.startWorker();

        assertThat(failure(tq.client.submit(SizeTasks::repeat, "x", 1024 * 1024)).getRemoteMessage())
                .contains("1048578 bytes of JSON, more than taskqueue.max-result-size (1048576 bytes)");
    }

    /**
     * A 0.9 MB argument echoed in an exception was stored three times in its dead letter (reason, message, the stack
     * trace's first line) and again in its record: now the message is cut, and kept once.
     */
    @Test
    void anErrorEchoingAHugeArgumentIsCutAndKeptOnce() {
        tq.startWorker();
        String huge = "a".repeat(900 * 1024);
        TaskHandle<String> handle = tq.client.submit(SizeTasks::refuse, huge);

        TaskFailedException failure = failure(handle);
        assertThat(failure.getRemoteMessage()).startsWith("cannot use aaa")
                .endsWith("\u2026 [cut: 921611 bytes in all]");
        assertThat(bytes(failure.getRemoteMessage())).isEqualTo(4096);
        assertThat(failure.getRemoteStackTrace()).contains("at dev.taskqueue.worker.SizeBoundsTest$SizeTasks.refuse")
                .contains("Caused by: java.lang.IllegalArgumentException: aaa");
        assertThat(bytes(failure.getRemoteStackTrace())).isLessThanOrEqualTo(16 * 1024);
        assertThat(bytes(failure.getRemoteStackTrace().lines().findFirst().orElseThrow())).isLessThanOrEqualTo(256);

        Map<String, String> dead = onlyDeadLetter();
        assertThat(dead.get("reason")).isEqualTo("failed after 1 attempt(s): java.lang.IllegalStateException");
        assertThat(dead.get("message")).isEqualTo(failure.getRemoteMessage());
        long besidesTheMessage = dead.entrySet().stream().filter(field -> !field.getKey().equals("m"))
                .mapToLong(field -> bytes(field.getValue())).sum();
        assertThat(besidesTheMessage).isLessThan(4096 + 16 * 1024 + 1024);
        Map<String, String> record = redis.hgetall("{taskqueue:default}:t:" + handle.id());
        assertThat(record.get("error.message")).isEqualTo(failure.getRemoteMessage());
        assertThat(record.get("error.stack")).isEqualTo(failure.getRemoteStackTrace());
    }

    @Test
    void aProgressMessageIsCutToTheTextBound() {
        tq.startWorker(s -> s.maxTextSize(100));
        TaskHandle<String> handle = tq.client.submit(SizeTasks::progress, 50_000);

        assertThat(handle.get(WAIT)).isEqualTo("done");
        assertThat(redis.hget("{taskqueue:default}:t:" + handle.id(), "progress.message"))
                .isEqualTo("p".repeat(71) + "\u2026 [cut: 50000 bytes in all]");
    }

    /** Quarantined messages were kept whole, for a week: a 100 MB one, 100 MB of every dead letter stream. */
    @Test
    void aQuarantinedMessageIsKeptUpToItsBoundAndSaysItsSize() {
        String unreadable = "{\"task\": " + "9".repeat(200_000);
        redis.xadd("{taskqueue:default}:s:0", Map.of("i", "garbled", "m", unreadable, "d", "0"));
        tq.startWorker();

        await().atMost(WAIT).until(() -> redis.xlen("{taskqueue:default}:dead") == 1);
        String kept = onlyDeadLetter().get("m");
        assertThat(kept).startsWith("{\"task\": 999").endsWith("\u2026 [cut: 200009 bytes in all]");
        assertThat(bytes(kept)).isEqualTo(64 * 1024);
    }

    private Map<String, String> onlyDeadLetter() {
        List<StreamMessage<String, String>> dead = redis.xrange("{taskqueue:default}:dead", Range.create("-", "+"));
        assertThat(dead).hasSize(1);
        return dead.get(0).getBody();
    }

    private static TaskFailedException failure(TaskHandle<?> handle) {
        try {
            handle.get(WAIT);
        }
        catch (TaskFailedException ex) {
            return ex;
        }
        throw new AssertionError("expected the task to fail");
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    public static class SizeTasks {

        final AtomicInteger runs = new AtomicInteger();

        @Task(name = "size.repeat", retry = @Retry(maxRetries = 3, delay = "10ms"))
        public String repeat(String unit, int times) {
            runs.incrementAndGet();
            return unit.repeat(times);
        }

        @Task(name = "size.refuse")
        public String refuse(String value) {
            throw new IllegalStateException("cannot use " + value, new IllegalArgumentException(value));
        }

        @Task(name = "size.progress")
        public String progress(int length) throws InterruptedException {
            TaskContext.current().progress(0.5, "p".repeat(length));
            Thread.sleep(300); // the report is sent asynchronously
            return "done";
        }
    }
}
