package dev.taskqueue.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keys computed from arguments (uniqueness, concurrency limits) are injective: callers choose the values, and one
 * caller's values never reach into another's key. The exact keys are compared, so that they stay readable.
 */
class UniqueKeysTest {

    private static final String UNIQUE = "{taskqueue:default}:u:";

    private final PolicyTasks tasks = new PolicyTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void close() {
        tasks.gate.countDown();
        tq.close();
    }

    @Test
    void aValueHoldingTheSeparatorDoesNotTakeAnotherCallersKey() {
        TaskHandle<String> first = tq.client.submit(PolicyTasks::tenantOrder, "acme:1", "2");
        TaskHandle<String> second = tq.client.submit(PolicyTasks::tenantOrder, "acme", "1:2");

        assertThat(second.id()).as("a task of its own, not the other caller's").isNotEqualTo(first.id());
        assertThat(redis.keys(UNIQUE + "*")).containsExactlyInAnyOrder(UNIQUE + "policy.tenantOrder:acme%3A1:2",
                UNIQUE + "policy.tenantOrder:acme:1%3A2");
        tq.startWorker();
        assertThat(first.get(Duration.ofSeconds(10))).isEqualTo("acme:1/2");
        assertThat(second.get(Duration.ofSeconds(10))).isEqualTo("acme/1:2");
        assertThat(tasks.runsOf("acme:1/2")).isEqualTo(1);
        assertThat(tasks.runsOf("acme/1:2")).isEqualTo(1);
    }

    @Test
    void aKeyTellsNullFromTheStringNullAndANumberFromItsString() {
        List<Object> values = Arrays.asList(null, "null", 42, "42", true, "true", "=42", "*", "50%",
                Map.of("id", 7));
        List<String> ids = values.stream().map(v -> tq.client.submit(PolicyTasks::uniqueValue, v).id()).toList();

        assertThat(ids).doesNotHaveDuplicates();
        assertThat(redis.keys(UNIQUE + "*")).containsExactlyInAnyOrder(UNIQUE + "policy.uniqueValue:=null",
                UNIQUE + "policy.uniqueValue:null", UNIQUE + "policy.uniqueValue:=42",
                UNIQUE + "policy.uniqueValue:42", UNIQUE + "policy.uniqueValue:=true",
                UNIQUE + "policy.uniqueValue:true", UNIQUE + "policy.uniqueValue:%3D42",
                UNIQUE + "policy.uniqueValue:%2A", UNIQUE + "policy.uniqueValue:50%25",
                UNIQUE + "policy.uniqueValue:={\"id\"%3A7}");
        // The same call still finds the same key.
        for (int i = 0; i < values.size(); i++) {
            assertThat(tq.client.submit(PolicyTasks::uniqueValue, values.get(i)).id()).isEqualTo(ids.get(i));
        }
    }

    @Test
    void aPlainKeyReadsAsItAlwaysDid() {
        tq.client.submit(PolicyTasks::uniqueOrder, "o-1", 1);

        assertThat(redis.keys(UNIQUE + "*")).containsExactly(UNIQUE + "policy.uniqueOrder:o-1");
    }

    @Test
    void aConcurrencyLimitKeyedByCallerValuesKeepsCallersApart() {
        tasks.gate = new CountDownLatch(1);
        tq.startWorker(s -> s.concurrency(4));
        TaskHandle<String> first = tq.client.submit(PolicyTasks::tenantLimited, "acme:1", "2");
        TaskHandle<String> second = tq.client.submit(PolicyTasks::tenantLimited, "acme", "1:2");

        // Each holds the only permit of its own key: both run at once.
        await().atMost(Duration.ofSeconds(10)).until(() -> tasks.running.get() == 2);
        assertThat(redis.keys("{taskqueue:default}:c:*")).containsExactlyInAnyOrder(
                "{taskqueue:default}:c:policy.tenantLimited:acme%3A1:2",
                "{taskqueue:default}:c:policy.tenantLimited:acme:1%3A2");
        tasks.gate.countDown();
        assertThat(first.get(Duration.ofSeconds(10))).isEqualTo("acme:1/2");
        assertThat(second.get(Duration.ofSeconds(10))).isEqualTo("acme/1:2");
    }
}
