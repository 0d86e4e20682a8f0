package dev.taskqueue.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskQueueException;
import dev.taskqueue.TaskState;
import dev.taskqueue.UnreadableRecordException;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a caller sees when a record in Redis was written by something other than taskqueue (or by an incompatible
 * version): each shape is written straight into Redis, then read through the public API. Every failure is a
 * {@link TaskQueueException} naming the task (or group) and its queue, what is wrong and what to do; what can be read
 * is read.
 */
class UnreadableRecordsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TaskQueueFixture tq = new TaskQueueFixture();
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @BeforeEach
    void listQueue() {
        redis.sadd("{taskqueue}:queues", "default"); // as a submit does: lookups by id alone search listed queues
    }

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void aStateTaskqueueDoesNotWriteIsReportedByEveryRead() {
        redis.hset(record("forged-state"), Map.of("state", "EXPLODED", "task", "billing.charge"));
        TaskHandle<String> handle = tq.client.handle("default", "forged-state", String.class);

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("The stored record of task billing.charge [forged-state] in queue 'default' "
                        + "cannot be read: its state 'EXPLODED' is not one taskqueue writes")
                .hasMessageContaining("written by something other than taskqueue, or by an incompatible version");
        assertThatThrownBy(handle::state).isInstanceOf(UnreadableRecordException.class);
        assertThatThrownBy(() -> tq.client.handle("forged-state")).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("[forged-state] in queue 'default'");
    }

    @Test
    void aResultThatIsNotJsonIsNotBlamedOnTheType() {
        redis.hset(record("forged-result"), Map.of("state", "SUCCESS", "task", "billing.charge",
                "result", "{\"amount\": 12"));
        TaskHandle<String> handle = tq.client.handle("default", "forged-result", String.class);

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("task billing.charge [forged-result] in queue 'default' cannot be read: its "
                        + "result is not JSON")
                .hasMessageNotContaining("ask for the type");
        assertThat(handle.info().resultJson()).isEqualTo("{\"amount\": 12"); // the record itself reads
    }

    @Test
    void anErrorWithGarbageFieldsStillTellsTheFailure() {
        redis.hset(record("forged-error"), Map.of("state", "FAILURE", "error.type", "", "error.message",
                "card declined", "attempt", "third", "finished", "yesterday", "started", "-5", "progress", "half",
                "queue", "no{such}queue"));
        TaskHandle<String> handle = tq.client.handle("default", "forged-error", String.class);

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("[forged-error] failed: unknown: card declined");
        TaskInfo info = handle.info();
        assertThat(info.state()).isEqualTo(TaskState.FAILURE);
        assertThat(info.queue()).isEqualTo("default"); // where it was read, whatever the record says
        assertThat(info.attempt()).isZero();
        assertThat(info.finishedAt()).isNull();
        assertThat(info.startedAt()).isNull();
        assertThat(info.progress()).isNull();
    }

    @Test
    void aKeyOfAnotherTypeWhereTheRecordShouldBeIsReported() {
        redis.set(record("forged-type"), "not a hash");
        TaskHandle<String> handle = tq.client.handle("default", "forged-type", String.class);

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("task [forged-type] in queue 'default' cannot be read: its key holds a string, "
                        + "not a hash");
        assertThatThrownBy(handle::info).isInstanceOf(UnreadableRecordException.class);
    }

    @Test
    void aRecordThatCannotBeReadCanStillBeRevokedInPlace() {
        redis.hset(record("forged-revoked"), Map.of("state", "EXPLODED"));

        assertThat(new DefaultTaskQueueOperations(tq.admin, tq.codec, tq.catalog).revoke("forged-revoked", false))
                .isTrue();

        assertThat(redis.hget(record("forged-revoked"), "state")).isEqualTo("REVOKED");
        assertThat(tq.client.handle("forged-revoked").state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void aGroupWhoseMembersCannotBeReadIsReported() {
        redis.set("{taskqueue:group:forged-group}", "default t1\nthis line names no task\n");
        redis.set("{taskqueue:group:forged-queue}", "default t1\nno{such}queue t2\n");

        assertThatThrownBy(() -> tq.client.groupHandle("forged-group")).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("The stored record of group [forged-group] cannot be read: its line 2 "
                        + "'this line names no task' is not '<queue> <task id>'");
        assertThatThrownBy(() -> tq.client.groupHandle("forged-queue")).isInstanceOf(UnreadableRecordException.class)
                .hasMessageContaining("group [forged-queue]").hasMessageContaining("'no{such}queue t2'");
    }

    private static String record(String taskId) {
        return "{taskqueue:default}:t:" + taskId;
    }
}
