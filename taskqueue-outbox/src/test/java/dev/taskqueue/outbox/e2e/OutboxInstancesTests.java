package dev.taskqueue.outbox.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.TaskClient;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances (two Spring contexts, each with its relay and worker) on one database and one Redis, relaying one
 * outbox under load, on H2 and PostgreSQL: no task is stored in Redis twice, every task runs once, the outbox ends
 * empty.
 */
class OutboxInstancesTests {

    private static final int THREADS = 8;
    private static final int TRANSACTIONS_PER_THREAD = 250;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void twoInstancesRelayingOneOutboxStoreAndRunEveryTaskOnce(TestDatabase database) throws Exception {
        // both relays also poll, so each takes the other's rows too, and with rounds of 20 rows they meet often on
        // the same rows
        Map<String, String> properties = OutboxApp.with(OutboxApp.properties(database.newDatabase(),
                TestRedis.host(), TestRedis.port(), TestRedis.newKeyPrefix()), "taskqueue.outbox.poll-interval=20ms",
                "taskqueue.outbox.batch-size=20");
        try (ConfigurableApplicationContext one = OutboxApp.start(properties);
                ConfigurableApplicationContext two = OutboxApp.start(properties)) {
            List<ConfigurableApplicationContext> instances = List.of(one, two);
            int total = THREADS * TRANSACTIONS_PER_THREAD;
            long started = System.nanoTime();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    ConfigurableApplicationContext instance = instances.get(t % 2);
                    Orders shop = instance.getBean(Orders.class);
                    TaskClient client = instance.getBean(TaskClient.class);
                    int thread = t;
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < TRANSACTIONS_PER_THREAD; i++) {
                            shop.place(client, List.of("t" + thread + "-" + i));
                        }
                    }));
                }
                for (Future<?> future : done) {
                    future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
            finally {
                threads.shutdownNow();
            }
            long placed = System.nanoTime();
            Orders first = one.getBean(Orders.class);
            Orders second = two.getBean(Orders.class);
            await().atMost(WAIT).until(() -> first.shipments().size() == total);
            System.out.printf("%s: %d transactions committed in %d ms, and their tasks run %d ms later (relayed by "
                    + "one: %d, by two: %d)%n", database, total, TimeUnit.NANOSECONDS.toMillis(placed - started),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - placed), first.stored(), second.stored());
            Thread.sleep(1_000); // a task stored twice would run a second time within this
            Map<String, Long> shipments = first.shipments();
            assertThat(shipments).hasSize(total);
            assertThat(shipments.values()).containsOnly(1L);
            assertThat(first.duplicates() + second.duplicates()).as("tasks a relay found stored already").isZero();
            assertThat(first.stored() + second.stored()).isEqualTo(total);
            assertThat(first.stored()).isPositive();
            assertThat(second.stored()).isPositive();
            assertThat(first.outboxRows()).isZero();
        }
    }
}
