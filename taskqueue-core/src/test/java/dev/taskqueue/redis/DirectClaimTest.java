package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskOptions;
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
 * Claims that read a stream with {@code XREADGROUP} itself, without the claim script, for a second after a script
 * took its claim from the first stream of its queues holding entries, alone or filling it ({@link RedisClaims}): they
 * leave paused queues alone and mark revoked tasks (heard of or not), as the script does, and give the script back
 * its turn when work arrives in a stream before theirs, or when they fall short while one after theirs holds work,
 * without handing anything back: each stream keeps its order.
 */
class DirectClaimTest {

    private static final String DEFAULT = "default";
    private static final TaskOptions HIGH = TaskOptions.defaults().priority(9);

    @RegisterExtension
    final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());

    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @Test
    void aClaimAfterOneThatFoundOneStreamReadsItDirectly() {
        List<String> ids = submit(TaskOptions.defaults(), 3);
        tq.broker.declare(List.of(DEFAULT));

        Claim first = claim(1);
        Claim second = claim(2);

        assertThat(first.scripts()).isOne();
        assertThat(first.reads()).isZero();
        assertThat(second.reads()).isOne();
        assertThat(second.scripts()).as("the check behind the read").isOne();
        assertThat(first.ids()).containsExactly(ids.get(0));
        assertThat(second.ids()).containsExactly(ids.get(1), ids.get(2));
    }

    @Test
    void workArrivingInAnotherStreamWaitsOneClaimAndEveryStreamKeepsItsOrder() {
        List<String> low = submit(TaskOptions.defaults(), 4);
        tq.broker.declare(List.of(DEFAULT));
        Claim first = claim(1);
        List<String> lowEntries = entries("{taskqueue:default}:s:0");
        List<String> high = submit(HIGH, 2);

        Claim direct = claim(2); // the stream it reads alone: the priority 9 tasks wait this one claim
        Claim next = claim(2);
        Claim last = claim(10);

        assertThat(first.ids()).containsExactly(low.get(0));
        assertThat(direct.reads()).isOne();
        assertThat(next.reads()).isZero();
        assertThat(direct.ids()).containsExactly(low.get(1), low.get(2));
        assertThat(next.ids()).as("the script claims next, in priority order").containsExactlyElementsOf(high);
        assertThat(last.ids()).containsExactly(low.get(3));
        assertThat(direct.deliveries()).extracting(Delivery::entryId).as("read where they were, nothing handed back")
                .isSubsetOf(lowEntries);
        assertThat(last.deliveries()).extracting(Delivery::entryId).isSubsetOf(lowEntries);
    }

    @Test
    void aStreamThatFillsTheClaimsIsReadDirectlyWhileAQueueAfterItWaitsItsTurn() {
        List<String> a = submit(TaskOptions.defaults().queue("a"), 5);
        List<String> b = submit(TaskOptions.defaults().queue("b"), 3);
        List<String> both = List.of("a", "b");
        tq.broker.declare(both);

        Claim first = claim(both, 1);
        Claim second = claim(both, 2);
        Claim third = claim(both, 3); // a's last two, then the script takes one of b's: in queue order, as one claim
        Claim next = claim(both, 5);

        assertThat(first.reads()).isZero();
        assertThat(second.reads()).as("a fills the claim: b's work does not matter yet").isOne();
        assertThat(first.ids()).containsExactly(a.get(0));
        assertThat(second.ids()).containsExactly(a.get(1), a.get(2));
        assertThat(third.reads()).isOne();
        assertThat(third.ids()).containsExactly(a.get(3), a.get(4), b.get(0));
        assertThat(next.reads()).as("a's entries are held, not done: the script claims").isZero();
        assertThat(next.ids()).containsExactly(b.get(1), b.get(2));
    }

    @Test
    void claimsStartingWithTheSameQueueReadItsStreamDirectlyWhateverOrderFollows() {
        List<String> a = submit(TaskOptions.defaults().queue("a"), 4);
        List<String> b = submit(TaskOptions.defaults().queue("b"), 2);
        tq.broker.declare(List.of("a", "b", "c"));

        Claim first = claim(List.of("a", "b", "c"), 1);
        Claim reordered = claim(List.of("a", "c", "b"), 2); // a worker weighing its queues: a new order each claim
        Claim otherFirst = claim(List.of("b", "a", "c"), 1);

        assertThat(first.ids()).containsExactly(a.get(0));
        assertThat(reordered.reads()).isOne();
        assertThat(reordered.ids()).containsExactly(a.get(1), a.get(2));
        assertThat(otherFirst.reads()).as("another first queue: the script claims").isZero();
        assertThat(otherFirst.ids()).containsExactly(b.get(0));
    }

    @Test
    void aShortReadGoesOnWhileNoOtherStreamOfItsQueuesHoldsWorkWhateverTheirOrder() {
        List<String> a = submit(TaskOptions.defaults().queue("a"), 2);
        tq.broker.declare(List.of("a", "b", "c"));
        Claim first = claim(List.of("a", "b", "c"), 1);

        Claim shortRead = claim(List.of("a", "c", "b"), 5);
        List<String> b = submit(TaskOptions.defaults().queue("b"), 1);
        Claim shortOfB = claim(List.of("a", "b", "c"), 5);

        assertThat(first.ids()).containsExactly(a.get(0));
        assertThat(shortRead.reads()).isOne();
        assertThat(shortRead.scripts()).as("the check behind the read, no claim script").isOne();
        assertThat(shortRead.ids()).containsExactly(a.get(1));
        assertThat(shortOfB.reads()).isOne();
        assertThat(shortOfB.ids()).as("b holds work: the script claims it").containsExactly(b.get(0));
    }

    @Test
    void workArrivingInAQueueBeforeTheStreamReadDirectlyWaitsOneClaim() {
        List<String> b = submit(TaskOptions.defaults().queue("b"), 4);
        List<String> both = List.of("a", "b");
        tq.broker.declare(both);
        Claim first = claim(both, 1); // a is empty: b's stream fills the claim

        List<String> a = submit(TaskOptions.defaults().queue("a"), 1);
        Claim direct = claim(both, 2);
        Claim next = claim(both, 2);

        assertThat(first.ids()).containsExactly(b.get(0));
        assertThat(direct.reads()).isOne();
        assertThat(direct.ids()).containsExactly(b.get(1), b.get(2));
        assertThat(next.reads()).isZero();
        assertThat(next.ids()).as("the script claims, in queue order").containsExactly(a.get(0), b.get(3));
    }

    @Test
    void aQueuePausedHereIsLeftAloneAtOnce() {
        submit(TaskOptions.defaults(), 3);
        tq.broker.declare(List.of(DEFAULT));
        claim(1);

        tq.admin.pause(DEFAULT);

        Claim paused = claim(5);
        assertThat(paused.ids()).isEmpty();
        assertThat(paused.reads()).as("not read at all: the script claims, and skips it").isZero();
    }

    @Test
    void aPauseThisInstanceDidNotHearOfStopsItsClaimsAtOnce() {
        List<String> ids = submit(TaskOptions.defaults(), 3);
        tq.broker.declare(List.of(DEFAULT));
        claim(1);

        redis.set("{taskqueue:default}:paused", "1"); // as if its announcement were lost

        Claim paused = claim(5);
        assertThat(paused.reads()).isOne();
        assertThat(paused.ids()).isEmpty();
        redis.del("{taskqueue:default}:paused"); // lifted, unheard too
        assertThat(claim(5).ids()).as("handed back, none lost").containsExactlyInAnyOrder(ids.get(1), ids.get(2));
    }

    @Test
    void aRevocationThisInstanceDidNotHearOfMarksTheTask() {
        List<String> ids = submit(TaskOptions.defaults(), 3);
        tq.broker.declare(List.of(DEFAULT));
        claim(1);

        redis.zadd("{taskqueue:default}:revoked", System.currentTimeMillis(), ids.get(1)); // its announcement lost

        Claim next = claim(5);
        assertThat(next.reads()).isOne();
        assertThat(next.scripts()).as("the check behind the read, no claim script").isOne();
        assertThat(next.deliveries()).extracting(Delivery::taskId, Delivery::revoked)
                .containsExactly(tuple(ids.get(1), true), tuple(ids.get(2), false));
    }

    @Test
    void aTaskRevokedByAnotherInstanceComesMarkedRevoked() throws Exception {
        CountDownLatch announced = new CountDownLatch(1);
        try (TaskQueueFixture other = new TaskQueueFixture(new TestTasks()); // before anything is written: it flushes
                AutoCloseable listening = tq.broker.onRevoked((queue, taskId, interrupt) -> announced.countDown())) {
            List<String> ids = submit(TaskOptions.defaults(), 3);
            tq.broker.declare(List.of(DEFAULT));
            claim(1);
            assertThat(other.client.handle(DEFAULT, ids.get(2), String.class).revoke(false)).isTrue();
            assertThat(announced.await(5, TimeUnit.SECONDS)).isTrue();

            Claim next = claim(5);

            assertThat(next.reads()).isOne();
            assertThat(next.scripts()).as("the check behind the read, no claim script").isOne();
            assertThat(next.deliveries()).extracting(Delivery::taskId, Delivery::revoked).containsExactly(
                    tuple(ids.get(1), false), tuple(ids.get(2), true));
        }
    }

    private List<String> submit(TaskOptions options, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(tq.client.withOptions(options).submit(TestTasks::echo, "v" + i).id());
        }
        return ids;
    }

    private List<String> entries(String stream) {
        return redis.xrange(stream, Range.create("-", "+")).stream().map(StreamMessage::getId).toList();
    }

    /** What one claim of {@code max} got, how many scripts Redis ran for it, and how many reads skipped the script. */
    private record Claim(List<Delivery> deliveries, long scripts, long reads) {

        List<String> ids() {
            return deliveries.stream().map(Delivery::taskId).toList();
        }
    }

    private Claim claim(int max) {
        return claim(List.of(DEFAULT), max);
    }

    private Claim claim(List<String> queues, int max) {
        long scripts = SharedRedis.calls("evalsha");
        long reads = tq.broker.directReads();
        List<Delivery> deliveries = tq.broker.claim("reader", queues, max);
        return new Claim(deliveries, SharedRedis.calls("evalsha") - scripts, tq.broker.directReads() - reads);
    }
}
