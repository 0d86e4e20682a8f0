package dev.taskqueue.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The outbox table's store, against H2 and a real PostgreSQL. */
class JdbcOutboxStoreTests {

    interface StoreTest {
        void run(DataSource dataSource, JdbcOutboxStore store) throws Exception;
    }

    private static void withStore(TestDatabase database, StoreTest test) throws Exception {
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            test.run(dataSource, TestDatabase.storeOn(dataSource));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void addInARolledBackTransactionLeavesNoRow(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(status -> {
                store.add("rolled back");
                assertThat(store.stats().pending()).as("seen inside its transaction").isOne();
                status.setRollbackOnly();
            });
            assertThat(store.stats().pending()).isZero();
            assertThat(store.relayRound(10, new RecordingSender())).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void addInACommittedTransactionIsRelayedOnceAndDeleted(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            TestDatabase.inTransaction(dataSource, () -> store.add("committed"));
            RecordingSender sender = new RecordingSender();

            assertThat(store.relayRound(10, sender)).isOne();
            assertThat(store.relayRound(10, sender)).isZero();

            assertThat(sender.payloads()).containsExactly("committed");
            assertThat(TestDatabase.rows(dataSource, "taskqueue_outbox")).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void uncommittedRowsAreNotTakenUntilTheirTransactionCommits(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            RecordingSender sender = new RecordingSender();
            new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(status -> {
                store.add("later");
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    assertThat(other.submit(() -> store.relayRound(10, sender)).get(30, TimeUnit.SECONDS)).isZero();
                }
                catch (Exception ex) {
                    throw new AssertionError(ex);
                }
                finally {
                    other.shutdownNow();
                }
            });
            assertThat(store.relayRound(10, sender)).isOne();
            assertThat(sender.payloads()).containsExactly("later");
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRoundWhoseSenderThrowsLeavesEveryRowForTheNextRound(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            List.of("a", "b", "c").forEach(payload -> TestDatabase.inTransaction(dataSource, () -> store.add(payload)));

            assertThatThrownBy(() -> store.relayRound(10, rows -> {
                throw new IllegalStateException("Redis is down");
            })).isInstanceOf(OutboxSendException.class).hasMessageContaining("Redis is down");
            assertThat(store.stats().pending()).isEqualTo(3);

            RecordingSender sender = new RecordingSender();
            assertThat(store.relayRound(10, sender)).isEqualTo(3);
            assertThat(sender.payloads()).containsExactly("a", "b", "c");
            assertThat(sender.rows()).extracting(OutboxRow::id).isSorted();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRoundTakesAtMostMaxRowsOldestFirst(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            IntStream.range(0, 5).forEach(i -> store.add("row " + i));
            RecordingSender sender = new RecordingSender();

            assertThat(store.relayRound(2, sender)).isEqualTo(2);
            assertThat(sender.payloads()).containsExactly("row 0", "row 1");
            assertThat(store.stats().pending()).isEqualTo(3);
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aPermanentFailureIsKeptWithItsErrorNotRetriedUntilAnOperatorRetriesIt(TestDatabase database)
            throws Exception {
        withStore(database, (dataSource, store) -> {
            String large = "x".repeat(3 * 1024 * 1024);
            store.add(large);
            store.add("fine");
            RecordingSender sender = new RecordingSender(rows -> Map.of(rows.get(0).id(), "payload too large"));

            assertThat(store.relayRound(10, sender)).isEqualTo(2);
            assertThat(sender.payloads()).containsExactly("fine");
            assertThat(store.stats().pending()).isZero();
            assertThat(store.stats().failed()).isOne();

            List<FailedOutboxRow> failed = store.failed(10);
            assertThat(failed).singleElement().satisfies(row -> {
                assertThat(row.error()).isEqualTo("payload too large");
                assertThat(row.payloadLength()).isEqualTo(large.length());
                assertThat(row.payloadPreview()).isEqualTo("x".repeat(JdbcOutboxStore.PREVIEW_LENGTH));
                assertThat(row.failedAt()).isAfterOrEqualTo(row.createdAt());
            });
            long id = failed.get(0).id();
            assertThat(store.relayRound(10, new RecordingSender())).as("not retried by itself").isZero();

            RecordingSender again = new RecordingSender();
            assertThat(store.retry(id)).isTrue();
            assertThat(store.retry(id)).as("no longer failed").isFalse();
            assertThat(store.relayRound(10, again)).isOne();
            assertThat(again.rows()).singleElement().satisfies(row -> {
                assertThat(row.id()).isEqualTo(id);
                assertThat(row.payload()).isEqualTo(large);
            });
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anOperatorDeletesAFailedRowButNotAPendingOne(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            store.add("poison");
            store.relayRound(10, rows -> Map.of(rows.get(0).id(), "unknown queue"));
            store.add("pending");
            long failedId = store.failed(10).get(0).id();

            assertThat(store.delete(failedId + 1)).isFalse();
            assertThat(store.delete(failedId)).isTrue();
            assertThat(store.failed(10)).isEmpty();
            assertThat(store.stats().pending()).isOne();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void statsCountPendingAndFailedRowsAndAgeTheOldestByTheDatabaseClock(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> {
            assertThat(store.stats()).isEqualTo(new OutboxStats(0, Duration.ZERO, 0));
            new JdbcTemplate(dataSource).update("INSERT INTO taskqueue_outbox (payload, created_at) "
                    + "VALUES ('old', CURRENT_TIMESTAMP - INTERVAL '1' HOUR)");
            store.add("new");
            store.add("will fail");

            OutboxStats stats = store.stats();
            assertThat(stats.pending()).isEqualTo(3);
            assertThat(stats.failed()).isZero();
            assertThat(stats.oldestPendingAge()).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));

            store.relayRound(1, new RecordingSender());
            store.relayRound(1, rows -> Map.of(rows.get(0).id(), "broken"));
            stats = store.stats();
            assertThat(stats.pending()).isOne();
            assertThat(stats.failed()).isOne();
            assertThat(stats.oldestPendingAge()).isLessThan(Duration.ofMinutes(59));
        });
    }

    /**
     * Two relays, each on its own pool, race over 2,000 rows: no row is handed to both, and together they send every
     * row exactly once.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void twoRelaysRacingNeverTakeTheSameRowAndSendEveryRowOnce(TestDatabase database) throws Exception {
        String url = database.newDatabase();
        try (HikariDataSource first = database.pool(url); HikariDataSource second = database.pool(url)) {
            JdbcOutboxStore one = TestDatabase.storeOn(first);
            JdbcOutboxStore two = new JdbcOutboxStore(second, one.table());
            int total = 2_000;
            new JdbcTemplate(first).batchUpdate("INSERT INTO taskqueue_outbox (payload) VALUES (?)",
                    IntStream.range(0, total).mapToObj(i -> new Object[] { "task " + i }).toList());
            Set<String> sentOnce = ConcurrentHashMap.newKeySet();
            List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
            RowSender sender = rows -> {
                rows.forEach(row -> {
                    if (!sentOnce.add(row.payload())) {
                        duplicates.add(row.payload());
                    }
                });
                Thread.onSpinWait();
                return Map.of();
            };
            ExecutorService relays = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> taken = new ArrayList<>();
                for (JdbcOutboxStore store : List.of(one, two)) {
                    taken.add(relays.submit(() -> drain(store, sender)));
                }
                int sum = 0;
                for (Future<Integer> future : taken) {
                    sum += future.get(120, TimeUnit.SECONDS);
                }
                assertThat(duplicates).isEmpty();
                assertThat(sum).isEqualTo(total);
                assertThat(sentOnce).hasSize(total);
                assertThat(one.stats().pending()).isZero();
            }
            finally {
                relays.shutdownNow();
            }
        }
    }

    /** Relay rounds of 25 until no row is pending, for a minute at most. */
    private static int drain(JdbcOutboxStore store, RowSender sender) {
        int taken = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            int now = store.relayRound(25, sender);
            if (now == 0 && store.stats().pending() == 0) {
                return taken;
            }
            taken += now;
        }
        throw new AssertionError("Rows still pending after a minute of relay rounds");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void theDialectIsDetectedFromTheDatabase(TestDatabase database) throws Exception {
        withStore(database, (dataSource, store) -> assertThat(store.table().dialect().name())
                .isEqualTo(database.name()));
    }

    @org.junit.jupiter.api.Test
    void anotherDatabaseFailsNamingTheSupportedOnesAndTheScript() {
        assertThatThrownBy(() -> OutboxDialect.ofProductName("MySQL")).hasMessageContaining("PostgreSQL and H2")
                .hasMessageContaining("MySQL").hasMessageContaining("schema-postgresql.sql");
    }

    @org.junit.jupiter.api.Test
    void aTableNameThatIsNotAPlainIdentifierIsRefused() {
        assertThatThrownBy(() -> new OutboxTable("outbox; DROP TABLE users", OutboxDialect.H2))
                .hasMessageContaining("taskqueue.outbox.table-name");
        assertThat(new HashSet<>(List.of(new OutboxTable("my_outbox2", OutboxDialect.H2).name()))).hasSize(1);
    }
}
