package dev.taskqueue.outbox.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.PostgresServer;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.redis.LocalRedisServer;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An outage between the commit and the relay, with a real worker: the database's (PostgreSQL stopped and started
 * again) and Redis's (a server of this test's own, stopped and started again, empty), on H2 and PostgreSQL. Each
 * delays the tasks and loses none: once it ends, every committed task runs once and the outbox is empty.
 */
class OutboxOutageTests {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int ORDERS = 10;

    @Test
    void aDatabaseOutageBetweenCommitAndRelayDelaysTheTasksAndLosesNone() {
        PostgresServer postgres = PostgresServer.require();
        Map<String, String> properties = OutboxApp.with(OutboxApp.properties(postgres.newDatabase(),
                TestRedis.host(), TestRedis.port(), TestRedis.newKeyPrefix()),
                "spring.datasource.hikari.connection-timeout=2000", "spring.datasource.hikari.validation-timeout=1000");
        try (ConfigurableApplicationContext app = OutboxApp.start(properties)) {
            Orders shop = app.getBean(Orders.class);
            OutboxRelay relay = app.getBean(OutboxRelay.class);
            assertThat(relay.stop(Duration.ofSeconds(10))).isTrue(); // so that it surely runs after the commits
            List<TaskHandle<Integer>> handles = placeEach(app, "db");
            postgres.stop();
            try {
                relay.start();
                await().atMost(WAIT).until(relay::isFailing);
                assertThat(handles).noneMatch(handle -> handle.sent().isDone());
            }
            finally {
                postgres.start();
            }
            assertEachRanOnce(shop, handles, "db");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRedisOutageBetweenCommitAndRelayDelaysTheTasksAndLosesNone(TestDatabase database) {
        try (LocalRedisServer redis = LocalRedisServer.start()) {
            Map<String, String> properties = OutboxApp.properties(database.newDatabase(), "127.0.0.1", redis.port(),
                    TestRedis.newKeyPrefix());
            try (ConfigurableApplicationContext app = OutboxApp.start(properties)) {
                Orders shop = app.getBean(Orders.class);
                OutboxRelay relay = app.getBean(OutboxRelay.class);
                redis.stop();
                List<TaskHandle<Integer>> handles;
                try {
                    // outbox mode needs no Redis to commit: the commit wakes the relay, whose rounds now fail
                    handles = placeEach(app, "redis");
                    await().atMost(WAIT).until(relay::isFailing);
                    assertThat(shop.outboxRows()).isEqualTo(ORDERS);
                    assertThat(handles).noneMatch(handle -> handle.sent().isDone());
                }
                finally {
                    redis.restart(); // empty, as after a restart without persistence
                }
                assertEachRanOnce(shop, handles, "redis");
            }
        }
    }

    /** Places {@value #ORDERS} orders, each in a transaction of its own. */
    private static List<TaskHandle<Integer>> placeEach(ConfigurableApplicationContext app, String prefix) {
        Orders shop = app.getBean(Orders.class);
        TaskClient client = app.getBean(TaskClient.class);
        List<TaskHandle<Integer>> handles = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            handles.addAll(shop.place(client, List.of(prefix + "-" + i)));
        }
        return handles;
    }

    private static void assertEachRanOnce(Orders shop, List<TaskHandle<Integer>> handles, String prefix) {
        for (TaskHandle<Integer> handle : handles) {
            assertThat(handle.sent()).succeedsWithin(WAIT);
            assertThat(handle.get(WAIT)).as("the task saw its order").isEqualTo(1);
        }
        await().atMost(WAIT).until(() -> shop.shipments().size() == ORDERS);
        try {
            Thread.sleep(1_000); // a task stored twice would run a second time within this
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        Map<String, Long> shipments = shop.shipments();
        assertThat(shipments.keySet()).allMatch(id -> id.startsWith(prefix + "-"));
        assertThat(shipments.values()).hasSize(ORDERS).containsOnly(1L);
        assertThat(shop.outboxRows()).isZero();
        assertThat(shop.duplicates()).isZero();
    }
}
