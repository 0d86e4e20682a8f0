package dev.taskqueue.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay loop against H2 and a real PostgreSQL. The poll interval is an hour wherever a test shows that something
 * other than polling made the relay run.
 */
class OutboxRelayTests {

    private static final Duration NEVER_POLLS = Duration.ofHours(1);

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void wakeRunsARoundWithoutWaitingForThePoll(TestDatabase database) {
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            RecordingSender sender = new RecordingSender();
            OutboxRelay relay = new OutboxRelay(store, sender, 10, NEVER_POLLS);
            relay.start();
            try {
                for (String payload : List.of("first", "second")) {
                    TestDatabase.inTransaction(dataSource, () -> store.add(payload));
                    relay.wake();
                    await().atMost(PATIENCE).until(() -> sender.payloads().contains(payload));
                }
                assertThat(sender.payloads()).containsExactly("first", "second");
            }
            finally {
                assertThat(relay.stop(Duration.ofSeconds(10))).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFullRoundIsFollowedByAnotherAtOnce(TestDatabase database) {
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            IntStream.range(0, 35).forEach(i -> store.add("row " + i));
            RecordingSender sender = new RecordingSender();
            OutboxRelay relay = new OutboxRelay(store, sender, 10, NEVER_POLLS);
            relay.start();
            try {
                await().atMost(PATIENCE).until(() -> sender.payloads().size() == 35);
                assertThat(sender.payloads()).containsExactlyElementsOf(IntStream.range(0, 35)
                        .mapToObj(i -> "row " + i).toList());
            }
            finally {
                relay.stop(Duration.ofSeconds(10));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFailingSenderMakesTheRelayBackOffAndItsRowsAreSentOnceItRecovers(TestDatabase database) {
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            store.add("during the outage");
            AtomicInteger calls = new AtomicInteger();
            RecordingSender sender = new RecordingSender(rows -> {
                if (calls.incrementAndGet() <= 3) {
                    throw new IllegalStateException("Redis is down");
                }
                return Map.of();
            });
            OutboxRelay relay = new OutboxRelay(store, sender, 10, NEVER_POLLS);
            relay.start();
            try {
                // The sender sees the row before its round commits and the relay notes the recovery.
                await().atMost(PATIENCE).until(() -> !relay.isFailing() && store.stats().pending() == 0);
                assertThat(sender.payloads()).containsExactly("during the outage");
                assertThat(calls).hasValue(4);
            }
            finally {
                relay.stop(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * The database stops: the relay's rounds fail and it backs off; committed rows wait in the table; once the
     * database is back they are all sent, once.
     */
    @Test
    void aDatabaseOutageDelaysRowsButLosesNone() {
        TestDatabase database = TestDatabase.POSTGRESQL;
        PostgresServer server = PostgresServer.require();
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            IntStream.range(0, 5).forEach(i -> TestDatabase.inTransaction(dataSource, () -> store.add("row " + i)));
            RecordingSender sender = new RecordingSender();
            OutboxRelay relay = new OutboxRelay(store, sender, 10, Duration.ofMillis(100));
            server.stop();
            try {
                relay.start();
                await().atMost(PATIENCE).until(relay::isFailing);
                assertThat(sender.payloads()).isEmpty();
            }
            finally {
                server.start();
            }
            try {
                await().atMost(PATIENCE).until(() -> sender.payloads().size() == 5);
                TestDatabase.inTransaction(dataSource, () -> store.add("after"));
                relay.wake();
                await().atMost(PATIENCE).until(() -> sender.payloads().size() == 6);
                assertThat(sender.payloads()).containsExactly("row 0", "row 1", "row 2", "row 3", "row 4", "after");
                await().atMost(PATIENCE).until(() -> !relay.isFailing());
            }
            finally {
                relay.stop(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void stopEndsTheThreadAndTheRelayCanStartAgain() {
        TestDatabase database = TestDatabase.H2;
        try (HikariDataSource dataSource = database.pool(database.newDatabase())) {
            JdbcOutboxStore store = TestDatabase.storeOn(dataSource);
            RecordingSender sender = new RecordingSender();
            OutboxRelay relay = new OutboxRelay(store, sender, 10, NEVER_POLLS);
            relay.start();
            assertThat(relay.isRunning()).isTrue();
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(thread -> thread.getName()
                    .equals(OutboxRelay.THREAD_NAME) && thread.isDaemon());

            assertThat(relay.stop(Duration.ofSeconds(10))).isTrue();
            assertThat(relay.isRunning()).isFalse();

            store.add("after a restart");
            relay.start();
            try {
                await().atMost(PATIENCE).until(() -> sender.payloads().contains("after a restart"));
            }
            finally {
                relay.stop(Duration.ofSeconds(10));
            }
        }
    }
}
