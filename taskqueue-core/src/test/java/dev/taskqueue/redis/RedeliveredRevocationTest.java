package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.taskqueue.broker.Delivery;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An entry marked revoked (a delayed workflow step revoked before its turn goes to the redelivery stream so) keeps
 * its mark when it is put back: released by a stopping worker, or taken back from a dead one. The mark, not the
 * queue's revoked set (which forgets after its keep time), is what tells the next worker not to run it.
 */
class RedeliveredRevocationTest {

    private static final String DEFAULT = "default";

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void aRevokedEntryStaysMarkedWhenReleasedAndWhenItsWorkerDies() {
        tq.broker.declare(List.of(DEFAULT));
        String id = markedRevokedInTheRedeliveryStream();

        List<Delivery> first = tq.broker.claim("stopping", List.of(DEFAULT), 1);
        assertThat(first).singleElement().satisfies(d -> assertThat(d.revoked()).isTrue());
        tq.broker.release("stopping", first);

        List<Delivery> second = tq.broker.claim("dies", List.of(DEFAULT), 1);
        assertThat(second).singleElement().satisfies(d -> {
            assertThat(d.taskId()).isEqualTo(id);
            assertThat(d.revoked()).isTrue();
        });
        tq.broker.releaseAll("dies", List.of(DEFAULT)); // as recovery does for a dead worker's tasks

        assertThat(tq.broker.claim("next", List.of(DEFAULT), 1)).singleElement().satisfies(d -> {
            assertThat(d.taskId()).isEqualTo(id);
            assertThat(d.revoked()).isTrue();
        });
    }

    /** A submitted task's entry moved to the redelivery stream with the mark, and without a revocation in the set. */
    private String markedRevokedInTheRedeliveryStream() {
        String id = tq.client.submit(TestTasks::echo, "revoked step").id();
        String stream = IntStream.rangeClosed(0, 9).mapToObj(p -> "{taskqueue:default}:s:" + p)
                .filter(key -> redis.xlen(key) > 0).findFirst().orElseThrow();
        StreamMessage<String, String> entry = redis.xrange(stream, Range.create("-", "+")).get(0);
        redis.xdel(stream, entry.getId());
        Map<String, String> marked = new LinkedHashMap<>(entry.getBody());
        marked.put("r", "1");
        redis.xadd("{taskqueue:default}:s:r", marked);
        assertThat(redis.exists("{taskqueue:default}:revoked")).isZero();
        return id;
    }
}
