package dev.taskqueue.outbox.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.outbox.FailedOutboxRow;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rows that can never be sent, among rows that can, on H2 and PostgreSQL with a real Redis and worker: each is kept
 * with its error (not retried, and not in the way of the others), the others go, and a local submission that failed
 * for good fails its {@code sent()}.
 */
class OutboxFailedRowTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anUnreadableRowIsKeptWithItsErrorAndTheOthersStillGo(TestDatabase database) {
        Map<String, String> properties = OutboxApp.properties(database.newDatabase(), TestRedis.host(),
                TestRedis.port(), TestRedis.newKeyPrefix());
        try (ConfigurableApplicationContext app = OutboxApp.start(properties)) {
            Orders shop = app.getBean(Orders.class);
            OutboxRelay relay = app.getBean(OutboxRelay.class);
            JdbcOutboxStore store = app.getBean(JdbcOutboxStore.class);
            assertThat(relay.stop(Duration.ofSeconds(10))).isTrue(); // so that one round takes all three rows
            TestDatabase.inTransaction(app.getBean(DataSource.class), () -> store.add("written by hand, not JSON"));
            TaskClient client = app.getBean(TaskClient.class);
            List<TaskHandle<Integer>> handles = List.of(shop.place(client, List.of("a")).get(0),
                    shop.place(client, List.of("b")).get(0));
            relay.start();
            for (TaskHandle<Integer> handle : handles) {
                assertThat(handle.get(WAIT)).isEqualTo(1);
            }
            await().atMost(WAIT).until(() -> store.stats().pending() == 0);
            List<FailedOutboxRow> failed = store.failed(10);
            assertThat(failed).singleElement().satisfies(row -> {
                assertThat(row.error()).contains("Not a taskqueue submission");
                assertThat(row.payloadPreview()).isEqualTo("written by hand, not JSON");
            });
            assertThat(store.stats().failed()).isEqualTo(1);
            assertThat(shop.shipments()).containsOnlyKeys("a", "b").containsValues(1L);
            assertThat(relay.isFailing()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aSubmissionRedisRefusesIsKeptWithItsErrorFailsItsSentAndTheOthersStillGo(TestDatabase database) {
        // Redis takes no argument over 1 MB here; the application accepts payloads of up to 4 MB
        try (LocalRedisServer redis = LocalRedisServer.start(List.of("--proto-max-bulk-len", "1mb"))) {
            Map<String, String> properties = OutboxApp.with(OutboxApp.properties(database.newDatabase(), "127.0.0.1",
                    redis.port(), TestRedis.newKeyPrefix()), "taskqueue.max-payload-size=4MB");
            try (ConfigurableApplicationContext app = OutboxApp.start(properties)) {
                Orders shop = app.getBean(Orders.class);
                OutboxRelay relay = app.getBean(OutboxRelay.class);
                JdbcOutboxStore store = app.getBean(JdbcOutboxStore.class);
                TaskClient client = app.getBean(TaskClient.class);
                assertThat(relay.stop(Duration.ofSeconds(10))).isTrue(); // so that one round takes both rows
                TaskHandle<Integer> tooLarge = app.getBean(TransactionTemplate.class).execute(status -> client.submit(
                        Orders::note, "x".repeat(1_500_000)));
                TaskHandle<Integer> order = shop.place(client, List.of("c")).get(0);
                relay.start();
                assertThat(order.get(WAIT)).isEqualTo(1);
                assertThat(tooLarge.sent()).failsWithin(WAIT).withThrowableThat().havingCause()
                        .isInstanceOf(TaskNotSentException.class);
                // sent() fails in the round, the row is kept failed when the round commits
                await().atMost(WAIT).until(() -> store.stats().failed() == 1);
                assertThat(store.failed(10)).singleElement().satisfies(row -> assertThat(row.error())
                        .contains("Redis refused").contains("invalid bulk length"));
                assertThat(store.stats().pending()).isZero();
                assertThat(relay.isFailing()).isFalse();
            }
        }
    }
}
