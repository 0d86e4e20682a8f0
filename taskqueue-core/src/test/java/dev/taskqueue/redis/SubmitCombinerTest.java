package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.Unique;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Single submits from many threads share submit scripts ({@link Combiner}), and a message Redis refuses fails
 * alone: the others stored with it, perhaps other callers', are stored and told so. On a real Redis.
 */
class SubmitCombinerTest {

    private static final String RECORD_OF_BAD = "{taskqueue:default}:t:bad-record";

    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();
    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void singleSubmitsFromManyThreadsAreEachOneAddToTheStreamAndReturnOnceTheirTaskIsStored() throws Exception {
        int threads = 8;
        int each = 200;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        long scriptsBefore = SharedRedis.calls("evalsha");
        long addsBefore = SharedRedis.calls("xadd");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        TaskHandle<String> handle = tq.client.submit(TestTasks::echo, "x");
                        // Returned: Redis has it (the submit script writes no record of a generated id: the stream)
                        ids.add(handle.id());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        long scripts = SharedRedis.calls("evalsha") - scriptsBefore;
        long adds = SharedRedis.calls("xadd") - addsBefore;

        assertThat(ids).hasSize(threads * each);
        assertThat(redis.xlen("{taskqueue:default}:s:0")).isEqualTo(threads * each);
        // A script per batch of one or two submits before (it makes the stream when missing, so these adds are each
        // the script's, or sent on their own, or both while the stream was missing); now the script only for the
        // first submits, which find no stream, and each of the others one XADD
        assertThat(scripts).isLessThan(20);
        assertThat(adds).isBetween((long) threads * each, threads * each + 2 * scripts);
    }

    @Test
    void aSingleSubmitToAQueueWithoutAStreamMakesItWithItsConsumerGroup() {
        TaskHandle<String> first = tq.client.submit(TestTasks::echo, "first");
        assertThat(redis.xinfoGroups("{taskqueue:default}:s:0")).as("the group workers read").hasSize(1);

        redis.del("{taskqueue:default}:s:0"); // emptied and deleted, as a queue's purge does
        TaskHandle<String> second = tq.client.submit(TestTasks::echo, "second");
        assertThat(redis.xinfoGroups("{taskqueue:default}:s:0")).as("made again, with its group").hasSize(1);
        assertThat(redis.xlen("{taskqueue:default}:s:0")).as("the second task, once").isEqualTo(1);
        tq.startWorker();

        assertThat(second.get(Duration.ofSeconds(10))).isEqualTo("second");
        assertThat(first.id()).isNotEqualTo(second.id());
    }

    @Test
    void aSingleSubmitsEntryHasTheFieldsOfTheScriptsInTheirOrder() {
        tq.client.submitAll(List.of(TaskCall.of(TestTasks::echo, "by-script"), TaskCall.of(TestTasks::echo, "too")));
        long scriptsBefore = SharedRedis.calls("evalsha");
        long addsBefore = SharedRedis.calls("xadd");
        tq.client.submit(TestTasks::echo, "by-xadd");
        assertThat(SharedRedis.calls("evalsha") - scriptsBefore).as("the single submit ran no script").isZero();
        assertThat(SharedRedis.calls("xadd") - addsBefore).as("but one XADD").isEqualTo(1);

        List<StreamMessage<String, String>> entries = redis.xrange("{taskqueue:default}:s:0", Range.create("-", "+"));
        // Lettuce keeps an entry's fields in the order Redis gives them
        assertThat(entries).hasSize(3).allSatisfy(e -> {
            assertThat(List.copyOf(e.getBody().keySet())).containsExactly("i", "m", "d");
            assertThat(e.getBody()).containsEntry("d", "0");
        });
    }

    @Test
    void aSingleSubmitRefusedByAKeyOfAnotherTypeSaysSoAndTheNextIsStored() {
        redis.set("{taskqueue:default}:s:0", "not a stream"); // written by something else

        assertThatThrownBy(() -> tq.client.submit(TestTasks::echo, "refused")).isInstanceOf(TaskQueueException.class)
                .hasMessageContaining("Redis refused to store task test.echo [").hasMessageContaining("WRONGTYPE")
                .hasMessageContaining("remove it, then submit this task again");

        redis.del("{taskqueue:default}:s:0");
        TaskHandle<String> again = tq.client.submit(TestTasks::echo, "stored");
        tq.startWorker();
        assertThat(again.get(Duration.ofSeconds(10))).isEqualTo("stored");
    }

    @Test
    void aMessageRedisRefusesFailsAloneAndTheOthersOfItsScriptAreStored() {
        redis.set(RECORD_OF_BAD, "not a hash"); // written by something else: HEXISTS on it is refused (WRONGTYPE)
        List<TaskCall<?>> calls = List.of(TaskCall.of(TestTasks::echo, "before"),
                TaskCall.of(TestTasks::echo, "bad").withOptions(TaskOptions.defaults().taskId("bad-record")),
                TaskCall.of(TestTasks::echo, "after"));

        assertThatThrownBy(() -> tq.client.submitAll(calls)).isInstanceOf(TaskQueueException.class)
                .hasMessageContaining("Redis refused to store task test.echo [bad-record] in queue 'default'")
                .hasMessageContaining("WRONGTYPE").hasMessageContaining("remove it, then submit this task again")
                .hasMessageContaining("the other tasks of the same call that were not refused are stored");
        assertThat(redis.xlen("{taskqueue:default}:s:0")).as("the two others are stored").isEqualTo(2);
        // plain messages before and after one in the script's full form: each read from its own arguments
        assertThat(redis.xrange("{taskqueue:default}:s:0", io.lettuce.core.Range.create("-", "+")))
                .extracting(e -> e.getBody().get("m")).satisfiesExactly(m -> assertThat(m).contains("[\"before\"]"),
                        m -> assertThat(m).contains("[\"after\"]"));

        redis.del(RECORD_OF_BAD);
        TaskHandle<String> again = tq.client.submit(TaskCall.of(TestTasks::echo, "bad")
                .withOptions(TaskOptions.defaults().taskId("bad-record")));
        tq.startWorker();
        assertThat(again.get(Duration.ofSeconds(10))).isEqualTo("bad");
    }

    @Test
    void messagesOfEachFormInOneScriptAreEachReadFromTheirOwnArguments() {
        TaskOptions known = TaskOptions.defaults().taskId("known");
        tq.client.submit(TaskCall.of(TestTasks::echo, "first").withOptions(known));
        // plain, with a record (an id of the caller's), a duplicate of a stored id, delayed (the full form), plain
        List<TaskHandle<?>> handles = tq.client.submitAll(List.of(TaskCall.of(TestTasks::echo, "plain-1"),
                TaskCall.of(TestTasks::echo, "recorded").withOptions(TaskOptions.defaults().taskId("chosen")),
                TaskCall.of(TestTasks::echo, "again").withOptions(known),
                TaskCall.of(TestTasks::echo, "later").withOptions(TaskOptions.defaults()
                        .countdown(Duration.ofHours(1))),
                TaskCall.of(TestTasks::echo, "plain-2")));

        assertThat(handles).extracting(TaskHandle::id).contains("chosen", "known");
        assertThat(redis.xrange("{taskqueue:default}:s:0", io.lettuce.core.Range.create("-", "+")))
                .extracting(e -> e.getBody().get("m")).satisfiesExactly(m -> assertThat(m).contains("[\"first\"]"),
                        m -> assertThat(m).contains("[\"plain-1\"]"), m -> assertThat(m).contains("[\"recorded\"]"),
                        m -> assertThat(m).contains("[\"plain-2\"]"));
        assertThat(redis.hgetall("{taskqueue:default}:t:chosen")).containsEntry("state", "PENDING")
                .containsEntry("task", "test.echo").containsKey("submitted").doesNotContainKey("queue");
        assertThat(redis.pttl("{taskqueue:default}:t:chosen")).isPositive();
        assertThat(redis.zcard("{taskqueue:default}:d")).as("the delayed one").isEqualTo(1);
    }

    @Test
    void aRefusedMessageLeavesNoUniquenessKeyBehind() {
        redis.set("{taskqueue:default}:s:7", "not a stream"); // priority 7's stream: its XADD is refused
        TaskOptions once = TaskOptions.defaults().priority(7).unique("report-42", Unique.Mode.UNTIL_FINISHED, null);

        assertThatThrownBy(() -> tq.client.submit(TaskCall.of(TestTasks::echo, "refused").withOptions(once)))
                .isInstanceOf(TaskQueueException.class).hasMessageContaining("WRONGTYPE");

        redis.del("{taskqueue:default}:s:7");
        TaskHandle<String> again = tq.client.submit(TaskCall.of(TestTasks::echo, "stored").withOptions(once));
        tq.startWorker();
        assertThat(again.get(Duration.ofSeconds(10))).as("not collapsed into the task never stored").isEqualTo("stored");
    }
}
