package dev.taskqueue.outbox.mode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.Workflows;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.transaction.OutboxSubmitTransactions;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.outbox.autoconfigure.TaskQueueOutboxAutoConfiguration;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code taskqueue.submit.transactions=outbox} end to end, on H2 and a real PostgreSQL, against a real Redis and
 * worker: the submission is a row of the outbox in the application's transaction, the relay moves it to Redis when
 * it commits, and a rollback leaves neither row nor task.
 */
class OutboxModeTests {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private ApplicationContextRunner runner(TestDatabase database) {
        String url = database.newDatabase();
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        DataRedisAutoConfiguration.class, DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                        TransactionAutoConfiguration.class,
                        TaskQueueAutoConfiguration.class, TaskQueueOutboxAutoConfiguration.class))
                .withUserConfiguration(Shop.class)
                .withPropertyValues("spring.datasource.url=" + url,
                        "spring.datasource.username=" + (database == TestDatabase.POSTGRESQL ? "postgres" : "sa"),
                        "spring.data.redis.host=" + TestRedis.host(), "spring.data.redis.port=" + TestRedis.port(),
                        "taskqueue.key-prefix=" + TestRedis.newKeyPrefix(), "taskqueue.submit.transactions=outbox",
                        "taskqueue.outbox.initialize-schema=always", "taskqueue.outbox.poll-interval=1h",
                        "taskqueue.worker.concurrency=4", "taskqueue.worker.poll-timeout=500ms");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aCommittedSubmissionIsRelayedAtOnceRunsOnceAndSeesTheData(TestDatabase database) {
        runner(database).run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            TaskHandle<Integer> handle = shop.tx.execute(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES ('o-1')");
                TaskHandle<Integer> inside = client.submit(Shop::countOrder, "o-1");
                assertThat(outboxRows(shop)).isZero(); // written at the commit, as one row
                return inside;
            });
            // the relay polls once an hour here: only the commit's wake can have sent it
            assertThat(handle.sent()).succeedsWithin(WAIT);
            assertThat(handle.get(WAIT)).isEqualTo(1);
            assertThat(outboxRows(shop)).isZero();
            assertThat(shop.sent).containsExactly(handle.id());
            assertThat(shop.runs.get()).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRollbackLeavesNoRowAndNoTask(TestDatabase database) {
        runner(database).run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            List<TaskHandle<?>> handles = new CopyOnWriteArrayList<>();
            assertThatIllegalStateException().isThrownBy(() -> shop.tx.executeWithoutResult(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES ('o-2')");
                handles.add(client.submit(Shop::countOrder, "o-2"));
                throw new IllegalStateException("out of stock");
            }));
            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> handles.get(0).sent().get(5,
                    TimeUnit.SECONDS)).havingCause().isInstanceOf(TaskNotSentException.class);
            Thread.sleep(300);
            assertThat(outboxRows(shop)).isZero();
            assertThat(shop.sent).isEmpty();
            assertThat(shop.runs.get()).isZero();
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aTransactionsSubmissionsAndWorkflowsGoInOneRowInTheirOrder(TestDatabase database) {
        runner(database).run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            AtomicLong rowsAtCommit = new AtomicLong(-1);
            List<TaskHandle<?>> handles = shop.tx.execute(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES ('o-3')");
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() { // before the relay is woken (poll interval 1 h)
                        rowsAtCommit.set(outboxRows(shop));
                    }
                });
                return List.of(client.submit(Shop::countOrder, "o-3"),
                        client.submit(Workflows.chain(TaskCall.of(Shop::countOrder, "o-3"),
                                TaskCall.partial(Shop::add, 41))),
                        client.submit(Workflows.chord(Workflows.group(TaskCall.of(Shop::countOrder, "o-3"),
                                TaskCall.of(Shop::countOrder, "none")), TaskCall.partial(Shop::sum))));
            });
            assertThat(handles.get(0).get(WAIT)).isEqualTo(1);
            assertThat(handles.get(1).get(WAIT)).isEqualTo(42);
            assertThat(handles.get(2).get(WAIT)).isEqualTo(1);
            assertThat(rowsAtCommit).hasValue(1);
            assertThat(shop.sent).doesNotHaveDuplicates().first().isEqualTo(handles.get(0).id());
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void callsChooseTheirModeAndOutsideATransactionEverySubmitGoesAtOnce(TestDatabase database) {
        runner(database).withPropertyValues("taskqueue.submit.transactions=after-commit",
                "taskqueue.outbox.enabled=true").run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient outbox = context.getBean(TaskClient.class)
                    .withOptions(TaskOptions.defaults().transactionMode(TransactionMode.OUTBOX));
            TaskHandle<Integer> handle = shop.tx.execute(status -> outbox.submit(Shop::countOrder, "x"));
            assertThat(handle.get(WAIT)).isZero();
            TaskHandle<Integer> outside = outbox.submit(Shop::countOrder, "y");
            assertThat(outside.sent()).isCompletedWithValue(null);
            assertThat(outside.get(WAIT)).isZero();
        });
    }

    /** What a test's TaskQueueTester relies on: once awaitSent returns true, every committed submission is sent. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void awaitSentReturnsOnceTheCommittedSubmissionsAreInRedis(TestDatabase database) {
        runner(database).run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            List<TaskHandle<Integer>> handles = shop.tx.execute(status -> List.of(client.submit(Shop::countOrder,
                    "a"), client.submit(Shop::countOrder, "b")));

            assertThat(context.getBean(OutboxSubmitTransactions.class).awaitSent(WAIT)).isTrue();
            assertThat(handles).allSatisfy(handle -> assertThat(handle.sent()).isCompleted());
            assertThat(context.getBean(OutboxSubmitTransactions.class).awaitSent(Duration.ZERO)).isTrue();
        });
    }

    private static long outboxRows(Shop shop) {
        Long rows = shop.jdbc.queryForObject("SELECT COUNT(*) FROM taskqueue_outbox", Long.class);
        return rows == null ? 0 : rows;
    }

    /** An orders table, and tasks that read it. */
    @Configuration(proxyBeanMethods = false)
    static class Shop {

        final AtomicInteger runs = new AtomicInteger();
        final List<String> sent = new CopyOnWriteArrayList<>();
        final JdbcTemplate jdbc;
        final TransactionTemplate tx;

        Shop(JdbcTemplate jdbc, TransactionTemplate tx) {
            this.jdbc = jdbc;
            this.tx = tx;
            jdbc.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
        }

        @Bean
        TaskEventListener sentTasks() {
            return new TaskEventListener() {
                @Override
                public void sent(String taskId, String taskName, String queue) {
                    sent.add(taskId);
                }
            };
        }

        @Task(name = "shop.count-order")
        public int countOrder(String id) {
            runs.incrementAndGet();
            Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE id = ?", Integer.class, id);
            return count == null ? 0 : count;
        }

        @Task(name = "shop.add")
        public int add(int previous, int more) {
            return previous + more;
        }

        @Task(name = "shop.sum")
        public int sum(List<Integer> counts) {
            return counts.stream().mapToInt(Integer::intValue).sum();
        }
    }
}
