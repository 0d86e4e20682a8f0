package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bulk submit larger than one script (slices of 500 messages, two of them awaiting their replies at a time, so that
 * other commands on the shared connection do not wait behind all of them) stores each task once, in the order of its
 * calls, and answers each call with its own task. On a real Redis.
 */
class BulkSubmitTest {

    private static final String READY = "{taskqueue:default}:s:0";

    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();
    @RegisterExtension
    final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());

    @Test
    void aSubmitOfManySlicesStoresEachTaskOnceInTheOrderOfItsCalls() {
        int count = 2_600; // six scripts: the window of two slides four times
        List<TaskCall<Integer>> calls = IntStream.range(0, count).mapToObj(i -> TaskCall.of(TestTasks::add, i, 1))
                .toList();

        List<TaskHandle<?>> handles = tq.client.submitAll(calls);

        List<String> stored = redis.xrange(READY, Range.create("-", "+")).stream().map(StreamMessage::getBody)
                .map(body -> body.get("i")).toList();
        assertThat(stored).hasSize(count).doesNotHaveDuplicates();
        assertThat(handles).extracting(TaskHandle::id).containsExactlyElementsOf(stored);
        tq.startWorker();
        assertThat(handles.get(count - 1).get(Duration.ofSeconds(30))).isEqualTo(count);
    }

    /**
     * The window itself: while Redis holds back every script ({@code CLIENT PAUSE ... WRITE}; it still reads what
     * clients send), a submit of five slices has sent two of them and waits for the first's reply before it sends the
     * third. One slice at a time would leave Redis idle while the next is written; all at once would queue the rest
     * of the connection's commands behind every slice.
     */
    @Test
    void aSubmitOfManySlicesHasTwoOfThemWithRedisAtATime() throws Exception {
        int count = 2_500; // five scripts of 500, the same size each
        List<TaskCall<Integer>> calls = IntStream.range(0, count).mapToObj(i -> TaskCall.of(TestTasks::add, i, 1))
                .toList();
        tq.client.submitAll(calls.subList(0, 2)); // loads the submit script: what follows sends its hash alone
        long before = bytesReceived();

        client("PAUSE", "10000", "WRITE"); // ten seconds at most, should the test end before its UNPAUSE
        CompletableFuture<List<TaskHandle<?>>> submitted;
        long whilePaused;
        try {
            submitted = CompletableFuture.supplyAsync(() -> tq.client.submitAll(calls));
            whilePaused = bytesReceivedOnceSettled(before);
            assertThat(submitted).as("no script ran: the submit waits for its replies").isNotDone();
        }
        finally {
            client("UNPAUSE");
        }
        assertThat(submitted.get(30, TimeUnit.SECONDS)).hasSize(count);
        long all = bytesReceived() - before;

        assertThat(redis.xlen(READY)).isEqualTo(count + 2L);
        assertThat((double) whilePaused / all).as("the share of the submit's bytes sent before any reply: 2 of 5 "
                + "slices").isBetween(0.3, 0.5);
    }

    /** {@code CLIENT <arguments>}. */
    private void client(String... arguments) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
        for (String argument : arguments) {
            args.add(argument);
        }
        redis.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8), args);
    }

    /** What Redis has read from its clients since it started. */
    private static long bytesReceived() {
        return SharedRedis.stat("total_net_input_bytes");
    }

    /**
     * The bytes Redis read since {@code before}, once they stopped growing for a quarter of a second (the submit
     * sent what it may send before a reply), within five seconds. Each look is an {@code INFO}, a few bytes: growth
     * under a kilobyte is none.
     */
    private long bytesReceivedOnceSettled(long before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = -1;
        int unchanged = 0;
        while (System.nanoTime() < deadline) {
            long now = bytesReceived() - before;
            unchanged = last > 0 && now - last < 1024 ? unchanged + 1 : 0;
            if (unchanged == 5) {
                return now;
            }
            last = now;
            Thread.sleep(50);
        }
        throw new AssertionError("what Redis read kept growing for 5 s: " + last + " bytes");
    }
}
