package dev.taskqueue.autoconfigure.transaction;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskNotSentException;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.Unique;
import dev.taskqueue.Workflows;
import dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.testing.RedisStates;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Submits made inside a real transaction (H2 through Spring's DataSourceTransactionManager) against a real Redis and
 * worker: sent when it commits, and then the task sees the committed row; never sent when it rolls back.
 */
class AfterCommitSubmitTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, DataRedisAutoConfiguration.class,
                    TaskQueueAutoConfiguration.class))
            .withUserConfiguration(Shop.class)
            .withPropertyValues(TestTasks.redis());

    @BeforeEach
    void emptyRedis() {
        SharedRedis.flush();
    }

    @Test
    void aSubmitInATransactionIsSentOnceWhenItCommitsAndTheTaskSeesTheData() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            String order = UUID.randomUUID().toString();
            TaskHandle<Integer> handle = shop.tx.execute(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES (?)", order);
                TaskHandle<Integer> inside = client.submit(Shop::countOrder, order);
                assertThat(inside.id()).isNotBlank();
                assertThat(inside.sent()).isNotDone();
                assertThat(shop.sent).isEmpty(); // not in Redis while the transaction runs
                return inside;
            });
            assertThat(handle.sent()).isCompletedWithValue(null); // in Redis before commit returned
            assertThat(handle.get(WAIT)).isEqualTo(1); // the worker read the committed row
            assertThat(shop.sent).containsExactly(handle.id());
            assertThat(shop.runs.get()).isEqualTo(1);
        });
    }

    @Test
    void aRollbackSendsNothingAndTheHandleSaysWhy() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            List<TaskHandle<?>> handles = new CopyOnWriteArrayList<>();
            assertThatIllegalStateException().isThrownBy(() -> shop.tx.executeWithoutResult(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES (?)", "rolled-back");
                handles.add(client.submit(Shop::countOrder, "rolled-back"));
                handles.add(client.submit(Workflows.chain(TaskCall.of(Shop::countOrder, "a"),
                        TaskCall.of(Shop::countOrder, "b").immutable())));
                throw new IllegalStateException("payment declined");
            }));
            for (TaskHandle<?> handle : handles) {
                assertThat(handle.sent()).isCompletedExceptionally();
                assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> handle.sent().get())
                        .havingCause().isInstanceOf(TaskNotSentException.class)
                        .withMessageContaining("rolled back");
                assertThatExceptionOfType(TaskNotSentException.class).isThrownBy(() -> handle.get(WAIT))
                        .satisfies(ex -> assertThat(ex.getTaskIds()).isNotEmpty());
            }
            Thread.sleep(300); // a worker would have run a sent task by now
            assertThat(shop.sent).isEmpty();
            assertThat(shop.runs.get()).isZero();
        });
    }

    @Test
    void workflowsAndSeveralSubmitsOfOneTransactionGoTogetherAtTheCommit() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            record Handles(TaskHandle<Integer> one, TaskHandle<Integer> chain, GroupHandle<Integer> group,
                    List<TaskHandle<?>> all) {
            }
            Handles handles = shop.tx.execute(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES (?)", "w");
                Handles inside = new Handles(client.submit(Shop::countOrder, "w"),
                        client.submit(Workflows.chain(TaskCall.of(Shop::countOrder, "w"), TaskCall.partial(Shop::add, 41))),
                        client.submit(Workflows.group(TaskCall.of(Shop::countOrder, "w"),
                                TaskCall.of(Shop::countOrder, "none"))),
                        client.submitAll(List.of(TaskCall.of(Shop::countOrder, "w"),
                                TaskCall.of(Shop::countOrder, "w"))));
                assertThat(shop.sent).isEmpty(); // nothing of the transaction is in Redis before its commit
                return inside;
            });
            assertThat(shop.sent).startsWith(handles.one().id()); // in submit order
            assertThat(handles.one().get(WAIT)).isEqualTo(1);
            assertThat(handles.chain().get(WAIT)).isEqualTo(42);
            assertThat(handles.group().get(WAIT)).containsExactly(1, 0);
            for (TaskHandle<?> handle : handles.all()) {
                assertThat(handle.get(WAIT)).isEqualTo(1);
            }
            assertThat(shop.sent).doesNotHaveDuplicates();
        });
    }

    @Test
    void immediateSendsAtOnceWhateverTheTransactionDoes() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient immediate = context.getBean(TaskClient.class)
                    .withOptions(TaskOptions.defaults().transactionMode(TransactionMode.IMMEDIATE));
            TaskHandle<?>[] handle = new TaskHandle<?>[1];
            assertThatIllegalStateException().isThrownBy(() -> shop.tx.executeWithoutResult(status -> {
                handle[0] = immediate.submit(Shop::countOrder, "x");
                assertThat(handle[0].sent()).isCompletedWithValue(null);
                assertThat(shop.sent).containsExactly(handle[0].id());
                throw new IllegalStateException("rolled back");
            }));
            assertThat(handle[0].get(WAIT)).isEqualTo(0);
        });
        runner.withPropertyValues("taskqueue.submit.transactions=immediate").run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskHandle<Integer> handle = shop.tx.execute(status -> {
                TaskHandle<Integer> inside = context.getBean(TaskClient.class).submit(Shop::countOrder, "y");
                assertThat(shop.sent).containsExactly(inside.id());
                return inside;
            });
            assertThat(handle.get(WAIT)).isEqualTo(0);
        });
    }

    @Test
    void outsideATransactionASubmitIsSentAtOnce() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskHandle<Integer> handle = context.getBean(TaskClient.class).submit(Shop::countOrder, "z");
            assertThat(handle.sent()).isCompletedWithValue(null);
            assertThat(shop.sent).containsExactly(handle.id());
            assertThat(handle.get(WAIT)).isEqualTo(0);
        });
    }

    @Test
    void callsOfOneSubmitAllMustAgreeOnTheMode() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            shop.tx.executeWithoutResult(status -> assertThatIllegalArgumentException()
                    .isThrownBy(() -> client.submitAll(List.of(TaskCall.of(Shop::countOrder, "a"),
                            TaskCall.of(Shop::countOrder, "b").withOptions(TaskOptions.defaults()
                                    .transactionMode(TransactionMode.IMMEDIATE)))))
                    .withMessageContaining("submit them separately"));
            assertThat(shop.sent).isEmpty();
        });
    }

    @Test
    void outboxModeWithoutAnOutboxIsRefusedSayingWhatIsMissing() {
        runner.withPropertyValues("taskqueue.submit.transactions=outbox").run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            shop.tx.executeWithoutResult(status -> assertThatIllegalStateException()
                    .isThrownBy(() -> client.submit(Shop::countOrder, "a"))
                    .withMessageContaining("DataSource"));
        });
    }

    @Test
    void whenRedisCannotTakeTheTasksAfterTheCommitTheDataStaysAndTheHandleSaysSo() {
        runner.withPropertyValues("spring.data.redis.port=" + RedisStates.deadPort(), "taskqueue.worker.enabled=false",
                "taskqueue.submit.retry.max-attempts=1").run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskHandle<Integer> handle = shop.tx.execute(status -> {
                shop.jdbc.update("INSERT INTO orders (id) VALUES (?)", "kept");
                return context.getBean(TaskClient.class).submit(Shop::countOrder, "kept");
            });
            assertThat(shop.jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = 'kept'", Integer.class))
                    .isEqualTo(1);
            assertThatExceptionOfType(ExecutionException.class)
                    .isThrownBy(() -> handle.sent().get(10, TimeUnit.SECONDS))
                    .havingCause().isInstanceOf(TaskNotSentException.class)
                    .withMessageContaining("after their transaction committed");
        });
    }


    @Test
    void aUniqueTaskThatCollapsesAtTheCommitIsFollowedThroughTheTaskThatStandsForIt() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            TaskHandle<String> first = client.submit(Shop::slowUnique, "sku-1");
            TaskHandle<String> second = shop.tx.execute(status -> client.submit(Shop::slowUnique, "sku-1"));
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(second.get(WAIT)).isEqualTo(first.get(WAIT)); // the first task's result, not a wait forever
        });
    }

    @Test
    void aNestedTransactionThatRollsBackDropsOnlyItsOwnSubmits() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            TransactionTemplate nested = new TransactionTemplate(shop.tx.getTransactionManager());
            nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
            List<TaskHandle<Integer>> handles = shop.tx.execute(status -> {
                TaskHandle<Integer> kept = client.submit(Shop::countOrder, "kept");
                TaskHandle<?>[] dropped = new TaskHandle<?>[1];
                assertThatIllegalStateException().isThrownBy(() -> nested.executeWithoutResult(inner -> {
                    dropped[0] = client.submit(Shop::countOrder, "dropped");
                    throw new IllegalStateException("inner failure");
                }));
                assertThat(dropped[0].sent()).failsWithin(WAIT).withThrowableThat()
                        .havingCause().isInstanceOf(TaskNotSentException.class).withMessageContaining("savepoint");
                return List.of(kept);
            });
            assertThat(handles.get(0).get(WAIT)).isZero();
            Thread.sleep(300);
            assertThat(shop.sent).containsExactly(handles.get(0).id());
        });
    }

    @Test
    void aSubmitFromAnotherSynchronizationsAfterCommitIsSentAtOnce() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            TaskHandle<?>[] late = new TaskHandle<?>[1];
            TaskHandle<Integer> handle = shop.tx.execute(status -> {
                TaskHandle<Integer> first = client.submit(Shop::countOrder, "a");
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        late[0] = client.submit(Shop::countOrder, "late");
                    }
                });
                return first;
            });
            assertThat(handle.get(WAIT)).isZero();
            assertThat(late[0].sent()).succeedsWithin(WAIT);
            assertThat(late[0].get(WAIT)).isEqualTo(0);
        });
    }

    @Test
    void waitingForAHeldTaskInsideItsOwnTransactionFailsAtOnceSayingWhy() {
        runner.run(context -> {
            Shop shop = context.getBean(Shop.class);
            TaskClient client = context.getBean(TaskClient.class);
            shop.tx.executeWithoutResult(status -> assertThatIllegalStateException()
                    .isThrownBy(() -> client.submit(Shop::countOrder, "x").get(WAIT))
                    .withMessageContaining("sent when that transaction commits"));
        });
    }

    /** An orders table in H2, its transaction manager, and tasks that read it. */
    @Configuration(proxyBeanMethods = false)
    static class Shop {

        final AtomicInteger runs = new AtomicInteger();
        final List<String> sent = new CopyOnWriteArrayList<>();
        JdbcTemplate jdbc;
        TransactionTemplate tx;

        @Bean
        DataSource dataSource() {
            DataSource dataSource = new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
                    .generateUniqueName(true).build();
            jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
            tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            return dataSource;
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
            return jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Integer.class, id);
        }

        @Task(name = "shop.slow-unique", unique = @Unique(key = "#sku"))
        public String slowUnique(String sku) throws InterruptedException {
            Thread.sleep(500);
            return "priced " + sku + " by " + TaskContext.current().taskId();
        }

        @Task(name = "shop.add")
        public int add(int previous, int more) {
            return previous + more;
        }
    }
}
