package dev.taskqueue.outbox.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application JVM killed (SIGKILL) at the two moments that matter, on H2 (a file two JVMs share) and PostgreSQL,
 * with a real Redis and worker; a context of the test JVM on the same database and Redis is the restarted instance:
 * <ol>
 * <li>after the commit and before its relay ran: the rows wait in the table, and the restarted instance runs each task
 * once;</li>
 * <li>after its relay wrote a row's tasks to Redis and before the row's DELETE committed: the restarted instance
 * relays the row again, Redis keeps the tasks it has (fixed ids), and each task still runs once.</li>
 * </ol>
 */
class OutboxCrashTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void killedAfterTheCommitAndBeforeTheRelayRanEachTaskRunsOnceAfterTheRestart(TestDatabase database)
            throws Exception {
        String url = url(database);
        Map<String, String> properties = properties(url);
        List<String> orders = List.of("o-1", "o-2", "o-3", "o-4", "o-5");
        try (OutboxAppProcess app = OutboxAppProcess.startAndAwait(OutboxApp.COMMITTED, child(properties,
                "commit-then-wait", orders, "taskqueue.outbox.relay.enabled=false",
                "taskqueue.worker.enabled=false"))) {
            app.kill9();
        }
        assertTableHolds(database, url, orders.size(), "pending rows of the killed instance");
        try (ConfigurableApplicationContext restarted = OutboxApp.start(properties)) {
            Orders shop = restarted.getBean(Orders.class);
            // the relay polls once an hour: its first round at start finds the dead instance's rows
            await().atMost(WAIT).until(() -> shop.shipments().size() == orders.size());
            assertRunOnce(shop, orders);
            assertThat(shop.outboxRows()).isZero();
            assertThat(shop.stored()).isEqualTo(orders.size());
            assertThat(shop.duplicates()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void killedAfterSendingAndBeforeDeletingTheRowItIsRelayedAgainAndEachTaskRunsOnce(TestDatabase database)
            throws Exception {
        String url = url(database);
        Map<String, String> properties = properties(url);
        List<String> orders = List.of("o-1", "o-2", "o-3");
        try (OutboxAppProcess app = OutboxAppProcess.startAndAwait(OutboxApp.SENT, child(properties,
                "halt-after-send", orders, "taskqueue.worker.enabled=false"))) {
            assertThat(app.awaitExit()).isEqualTo(137);
        }
        assertTableHolds(database, url, 1, "the row whose DELETE died with the JVM");
        try (ConfigurableApplicationContext restarted = OutboxApp.start(properties)) {
            Orders shop = restarted.getBean(Orders.class);
            await().atMost(WAIT).until(() -> shop.shipments().size() == orders.size());
            assertRunOnce(shop, orders);
            assertThat(shop.outboxRows()).isZero();
            // the row's DELETE was rolled back with the dead JVM, so the row was relayed again, and Redis already had
            // every one of its tasks: none was stored twice
            assertThat(shop.duplicates()).isEqualTo(orders.size());
            assertThat(shop.stored()).isZero();
        }
    }

    /** Each order shipped once, and stays so (a second run would follow within the worker's poll). */
    private static void assertRunOnce(Orders shop, List<String> orders) throws InterruptedException {
        Thread.sleep(1_000);
        Map<String, Long> shipments = shop.shipments();
        assertThat(shipments).containsOnlyKeys(orders);
        assertThat(shipments.values()).containsOnly(1L);
    }

    /** Checks, between the kill and the restart, that the outbox holds {@code rows} and nothing ran. */
    private static void assertTableHolds(TestDatabase database, String url, int rows, String what) {
        try (HikariDataSource pool = database.pool(url)) {
            // H2 first waits for the dead JVM's lock on the file to expire
            pool.setConnectionTimeout(Duration.ofSeconds(30).toMillis());
            assertThat(TestDatabase.rows(pool, "taskqueue_outbox")).as(what).isEqualTo(rows);
            assertThat(TestDatabase.rows(pool, "shipments")).isZero();
        }
    }

    /**
     * A new database both JVMs reach: PostgreSQL, or an H2 file served by the JVM that opens it first, each commit
     * written to the file at once (H2 otherwise writes it within a second, and a killed JVM would lose it).
     */
    private String url(TestDatabase database) {
        return database == TestDatabase.H2
                ? "jdbc:h2:file:" + directory.resolve("db") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0"
                : database.newDatabase();
    }

    private static Map<String, String> properties(String url) {
        return OutboxApp.properties(url, TestRedis.host(), TestRedis.port(), TestRedis.newKeyPrefix());
    }

    /** The child's arguments: the instance's, in {@code mode}, placing {@code orders}, with {@code changes}. */
    private static List<String> child(Map<String, String> properties, String mode, List<String> orders,
            String... changes) {
        Map<String, String> child = OutboxApp.with(properties, changes);
        child.put("e2e.mode", mode);
        child.put("e2e.orders", String.join(",", orders));
        return OutboxApp.arguments(child);
    }
}
