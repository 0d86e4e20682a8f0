package dev.taskqueue.outbox.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.OutboxRow;
import dev.taskqueue.outbox.OutboxTable;
import dev.taskqueue.outbox.RowSender;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.outbox.health.OutboxHealthIndicator;
import dev.taskqueue.outbox.metrics.OutboxMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The outbox's wiring, on H2. */
class TaskQueueOutboxAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TaskQueueOutboxAutoConfiguration.class,
                    TaskQueueOutboxMetricsAutoConfiguration.class,
                    TaskQueueOutboxHealthContributorAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=" + TestDatabase.H2.newDatabase(), "taskqueue.outbox.enabled=true");

    @Test
    void withoutAskingForTheOutboxThereIsNoTable() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                TaskQueueOutboxAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + TestDatabase.H2.newDatabase())
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcOutboxStore.class));
    }

    @Test
    void outboxAsTheDefaultModeTurnsItOn() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                TaskQueueOutboxAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + TestDatabase.H2.newDatabase(),
                        "taskqueue.submit.transactions=outbox")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcOutboxStore.class));
    }

    @Test
    void withoutADataSourceNothingIsCreated() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TaskQueueOutboxAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcOutboxStore.class));
    }

    @Test
    void withoutSpringJdbcNothingIsCreated() {
        runner.withClassLoader(new FilteredClassLoader(JdbcTemplate.class))
                .run(context -> assertThat(context).doesNotHaveBean(JdbcOutboxStore.class));
    }

    @Test
    void withoutARowSenderTheStoreExistsButNoRelay() {
        runner.run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcOutboxStore.class)
                .doesNotHaveBean(OutboxRelay.class).doesNotHaveBean(OutboxRelayLifecycle.class));
    }

    @Test
    void operatorsSeeTheOutboxThroughOneOutboxOperationsBean() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(OutboxOperations.class);
            assertThat(context.getBean(OutboxOperations.class).status().table()).isEqualTo(OutboxTable.DEFAULT_NAME);
        });
    }

    @Test
    void withARowSenderTheRelayRunsAndSendsWhatACommittedTransactionAdded() {
        List<OutboxRow> sent = new CopyOnWriteArrayList<>();
        runner.withBean(RowSender.class, () -> rows -> {
            sent.addAll(rows);
            return Map.of();
        }).withPropertyValues("taskqueue.outbox.poll-interval=1h").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(OutboxRelayLifecycle.class);
            OutboxRelay relay = context.getBean(OutboxRelay.class);
            assertThat(relay.isRunning()).isTrue();
            JdbcOutboxStore store = context.getBean(JdbcOutboxStore.class);
            new TransactionTemplate(context.getBean(PlatformTransactionManager.class))
                    .executeWithoutResult(status -> store.add("with the order"));
            relay.wake();
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.size() == 1);
            assertThat(sent.get(0).payload()).isEqualTo("with the order");
        });
    }

    @Test
    void aDisabledRelayLeavesTheRowsToOtherInstances() {
        runner.withBean(RowSender.class, () -> rows -> Map.of()).withPropertyValues(
                "taskqueue.outbox.relay.enabled=false").run(context -> assertThat(context).hasNotFailed()
                        .hasSingleBean(JdbcOutboxStore.class).doesNotHaveBean(OutboxRelay.class)
                        .doesNotHaveBean(OutboxRelayLifecycle.class));
    }

    @Test
    void theRelayStopsWithTheContext() {
        runner.withBean(RowSender.class, () -> rows -> Map.of()).run(context -> {
            OutboxRelay relay = context.getBean(OutboxRelay.class);
            context.close();
            assertThat(relay.isRunning()).isFalse();
        });
    }

    @Test
    void anInvalidTableNameFailsTheStartupSayingWhichProperty() {
        runner.withPropertyValues("taskqueue.outbox.table-name=outbox;drop").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("taskqueue.outbox.table-name"));
    }

    @Test
    void propertiesDefaultToTheRelaysConstants() {
        TaskQueueOutboxProperties properties = new TaskQueueOutboxProperties();
        assertThat(properties.getPollInterval()).isEqualTo(OutboxRelay.DEFAULT_POLL_INTERVAL);
        assertThat(properties.getBatchSize()).isEqualTo(OutboxRelay.DEFAULT_BATCH_SIZE);
        assertThat(properties.getTableName()).isEqualTo("taskqueue_outbox");
        assertThat(properties.getMaxLag()).isEqualTo(Duration.ofMinutes(1));
        assertThat(properties.getInitializeSchema()).isEqualTo(TaskQueueOutboxProperties.InitializeSchema.EMBEDDED);
        assertThat(properties.getRelay().isEnabled()).isTrue();
    }

    @Test
    void theHealthComponentIsUpThenOutOfServiceWithAFailedRowThenDownWithoutTheTable() {
        runner.run(context -> {
            assertThat(context).hasBean("taskqueueOutboxHealthIndicator");
            OutboxHealthIndicator health = context.getBean(OutboxHealthIndicator.class);
            JdbcOutboxStore store = context.getBean(JdbcOutboxStore.class);
            store.add("pending");
            assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
            assertThat(health.health(true).getDetails()).containsEntry("pending", 1L).containsEntry("failed", 0L);

            store.relayRound(10, rows -> Map.of(rows.get(0).id(), "unknown queue"));
            assertThat(health.health(true).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(health.health(true).getDetails()).containsKey("failedRows");

            new JdbcTemplate(context.getBean(javax.sql.DataSource.class)).execute("DROP TABLE taskqueue_outbox");
            assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void theHealthComponentIsOutOfServiceWhenTheOldestRowIsOlderThanMaxLag() {
        runner.withPropertyValues("taskqueue.outbox.max-lag=10m").run(context -> {
            new JdbcTemplate(context.getBean(javax.sql.DataSource.class)).update("INSERT INTO taskqueue_outbox "
                    + "(payload, created_at) VALUES ('late', CURRENT_TIMESTAMP - INTERVAL '11' MINUTE)");
            assertThat(context.getBean(OutboxHealthIndicator.class).health(true).getStatus())
                    .isEqualTo(Status.OUT_OF_SERVICE);
        });
    }

    @Test
    void theHealthComponentCanBeDisabled() {
        runner.withPropertyValues("management.health.taskqueue-outbox.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(OutboxHealthIndicator.class));
    }

    @Test
    void theGaugesShowPendingOldestAgeAndFailed() {
        runner.run(context -> {
            JdbcOutboxStore store = context.getBean(JdbcOutboxStore.class);
            new JdbcTemplate(context.getBean(javax.sql.DataSource.class)).update("INSERT INTO taskqueue_outbox "
                    + "(payload, created_at) VALUES ('old', CURRENT_TIMESTAMP - INTERVAL '1' HOUR)");
            store.add("broken");
            store.relayRound(10, rows -> Map.of(rows.get(1).id(), "payload too large"));
            store.add("pending too");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean(OutboxMetrics.class).bindTo(registry);

            assertThat(registry.get(OutboxMetrics.PENDING).tag("table", "taskqueue_outbox").gauge().value())
                    .isEqualTo(1);
            assertThat(registry.get(OutboxMetrics.FAILED).gauge().value()).isEqualTo(1);
            assertThat(registry.get(OutboxMetrics.OLDEST_AGE).gauge().value()).isLessThan(3_500);
        });
    }

    @Test
    void theGaugesAreNotCreatedWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(OutboxMetrics.class));
    }
}
