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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A claimed task comes marked revoked, for its worker to record it REVOKED without running it, however the claim
 * learns of the revocation: from the entry's own mark, which survives being put back, or from the queue's revoked
 * set, which blocking reads check in the queues that may hold revocations.
 */
class ClaimedRevocationsTest {

    private static final String DEFAULT = "default";

    @RegisterExtension
    final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    /**
     * An entry marked revoked (a delayed workflow step revoked before its turn goes to the redelivery stream so) keeps
     * its mark when it is put back: released by a stopping worker, or taken back from a dead one. The mark, not the
     * queue's revoked set (which forgets after its keep time), is what tells the next worker not to run it.
     */
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

    @Test
    void aRevocationMadeWhileAClaimIsInFlightKeepsItsQueueChecked() {
        RedisRevocations revocations = new RedisRevocations(tq.connections, new RedisKeys(TaskQueueFixture.PREFIX),
                60_000);
        revocations.claimed(List.of(DEFAULT), List.of(), revocations.noted());
        assertThat(revocations.mayHave(DEFAULT)).isFalse();

        long beforeTheClaim = revocations.noted(); // its script reads no revocation in the queue...
        revocations.revoke(new RedisRevocations.Where(List.of(DEFAULT), true), "revoked-meanwhile", "test", false,
                body -> null, body -> false);
        revocations.claimed(List.of(DEFAULT), List.of(), beforeTheClaim); // ...and its reply comes after one was made

        assertThat(revocations.mayHave(DEFAULT)).isTrue(); // blocking reads still check the queue
        revocations.claimed(List.of(DEFAULT), List.of(DEFAULT), revocations.noted()); // a newer claim saw it
        assertThat(revocations.mayHave(DEFAULT)).isTrue();
        revocations.claimed(List.of(DEFAULT), List.of(), revocations.noted()); // one after it read none (expired)
        assertThat(revocations.mayHave(DEFAULT)).as("a claim that began after the last revocation is believed")
                .isFalse();
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
