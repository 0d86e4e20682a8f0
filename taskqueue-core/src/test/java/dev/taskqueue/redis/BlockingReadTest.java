package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A blocking read ({@link RedisBroker#awaitAndClaim}), which a worker sends without a claim script before it while
 * tasks trickle in: it hands the worker no more than it can hold, in priority order, and marks what was revoked
 * meanwhile, as a claim does.
 */
class BlockingReadTest {

    private static final String DEFAULT = "default";

    private final TaskQueueFixture tq = new TaskQueueFixture(new TestTasks());
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void aTaskRevokedByAnotherInstanceComesMarkedRevokedFromABlockingRead() throws Exception {
        CountDownLatch announced = new CountDownLatch(1);
        try (TaskQueueFixture other = new TaskQueueFixture(new TestTasks());
                AutoCloseable listening = tq.broker.onRevoked((queue, taskId, interrupt) -> announced.countDown())) {
            tq.broker.declare(List.of(DEFAULT));
            assertThat(tq.broker.claim("reader", List.of(DEFAULT), 1)).isEmpty(); // it saw no revocation there
            String id = tq.client.submit(TestTasks::echo, "x").id();
            assertThat(other.client.handle(DEFAULT, id, String.class).revoke(false)).isTrue();
            assertThat(announced.await(5, TimeUnit.SECONDS)).isTrue();

            // Without a claim script before it (as while tasks trickle in), the read still checks the queue
            List<Delivery> read = tq.broker.awaitAndClaim("reader", List.of(DEFAULT), 4, Duration.ofSeconds(1));

            assertThat(read).singleElement().satisfies(d -> {
                assertThat(d.taskId()).isEqualTo(id);
                assertThat(d.revoked()).isTrue();
            });
        }
    }

    @Test
    void aBlockingReadKeepsNoMoreThanItCanHoldAndWhatItGivesBackKeepsItsPriority() {
        tq.broker.declare(List.of(DEFAULT)); // as a worker does as it starts
        List<String> high = new ArrayList<>();
        List<String> low = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            high.add(tq.client.withOptions(TaskOptions.defaults().priority(9)).submit(TestTasks::echo, "high-" + i)
                    .id());
            low.add(tq.client.withOptions(TaskOptions.defaults().priority(0)).submit(TestTasks::echo, "low-" + i)
                    .id());
        }

        // Up to 2 from each of two streams: it reads 4, keeps the 2 of the higher priority, gives 2 back
        List<Delivery> read = tq.broker.awaitAndClaim("reader", List.of(DEFAULT), 2, Duration.ofSeconds(1));

        assertThat(read).extracting(Delivery::taskId).containsExactly(high.get(0), high.get(1));
        // to their own stream, not to the redelivery stream, which is claimed before priority 9
        assertThat(redis.xlen("{taskqueue:default}:s:r")).isZero();
        List<Delivery> next = tq.broker.claim("reader", List.of(DEFAULT), 10);
        assertThat(next).extracting(Delivery::taskId).containsExactly(high.get(2), low.get(2), low.get(0),
                low.get(1));
        assertThat(next).extracting(Delivery::deliveries).containsOnly(next.get(0).deliveries()); // none counted
    }
}
