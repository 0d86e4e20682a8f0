package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
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
}
