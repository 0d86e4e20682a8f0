package dev.taskqueue.outbox.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.client.SubmissionSender;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.outbox.JdbcOutboxOperations;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxDialect;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.OutboxSentTracker;
import dev.taskqueue.outbox.OutboxSubmissions;
import dev.taskqueue.outbox.OutboxTable;
import dev.taskqueue.outbox.RowSender;
import dev.taskqueue.outbox.SubmissionRows;
import dev.taskqueue.outbox.schema.FlywayOutboxMigration;
import dev.taskqueue.outbox.schema.LiquibaseOutboxMigration;
import dev.taskqueue.outbox.schema.OutboxSchemaMigration;
import dev.taskqueue.outbox.schema.ScriptOutboxMigration;
import liquibase.integration.spring.SpringLiquibase;
import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Auto-configuration of the outbox, when the application has one {@link DataSource} and spring-jdbc:
 * <ol>
 * <li>the table ({@link OutboxTable}: its name, checked, and the database's dialect, PostgreSQL or H2);</li>
 * <li>its creation ({@link OutboxSchemaInitializer}), after the application's own Flyway, Liquibase or SQL scripts
 * ({@code @DependsOnDatabaseInitialization}), through the outbox's own Flyway run when the application has a
 * {@link Flyway} bean, else its own Liquibase run when it has a {@link SpringLiquibase} bean, else the plain
 * script;</li>
 * <li>the store ({@link JdbcOutboxStore}), created after the table;</li>
 * <li>the relay ({@link OutboxRelay}) and its lifecycle, only when a {@link RowSender} bean exists (it writes the
 * rows to Redis): taskqueue's own ({@link SubmissionRows}) where the application has a broker; and unless
 * {@code taskqueue.outbox.relay.enabled=false} (an instance that only writes rows, for other instances to relay);</li>
 * <li>{@link OutboxSubmissions}, where submissions in outbox mode go;</li>
 * <li>{@link OutboxOperations}, the outbox as the actuator endpoint and the dashboard show it.</li>
 * </ol>
 * Only when the outbox is wanted: {@code taskqueue.submit.transactions=outbox} or {@code taskqueue.outbox.enabled}
 * (an application that does not use it gets no table).
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
        "dev.taskqueue.autoconfigure.TaskQueueAutoConfiguration" })
@ConditionalOnClass(JdbcTemplate.class)
@ConditionalOnSingleCandidate(DataSource.class)
@Conditional(TaskQueueOutboxAutoConfiguration.OutboxWanted.class)
@EnableConfigurationProperties(TaskQueueOutboxProperties.class)
public final class TaskQueueOutboxAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OutboxTable taskqueueOutboxTable(DataSource dataSource, TaskQueueOutboxProperties properties) {
        return new OutboxTable(properties.getTableName(), OutboxDialect.of(dataSource));
    }

    @Bean
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    OutboxSchemaInitializer taskqueueOutboxSchemaInitializer(DataSource dataSource, OutboxTable table,
            TaskQueueOutboxProperties properties, ObjectProvider<OutboxSchemaMigration> migrations) {
        return new OutboxSchemaInitializer(dataSource, table, migrations.orderedStream().findFirst()
                .orElseGet(ScriptOutboxMigration::new), properties.getInitializeSchema());
    }

    @Bean
    @ConditionalOnMissingBean
    JdbcOutboxStore taskqueueOutboxStore(DataSource dataSource, OutboxTable table,
            ObjectProvider<OutboxSchemaInitializer> schema) {
        schema.getIfAvailable(); // the table first
        return new JdbcOutboxStore(dataSource, table);
    }

    /** The outbox as operators see it: the actuator endpoint and the dashboard show it when this bean exists. */
    @Bean
    @ConditionalOnMissingBean
    OutboxOperations taskqueueOutboxOperations(JdbcOutboxStore store) {
        return new JdbcOutboxOperations(store);
    }

    /** Follows this instance's committed outbox submissions until Redis has them ({@code TaskHandle.sent()}). */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(ResultBackend.class)
    OutboxSentTracker taskqueueOutboxSentTracker(ResultBackend backend) {
        return new OutboxSentTracker(backend, Clock.systemUTC());
    }

    /** Writes taskqueue's rows (submissions) to Redis: the relay's sender, where this application has a broker. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({ Broker.class, WorkflowStore.class, OutboxSentTracker.class })
    RowSender taskqueueOutboxRowSender(Broker broker, WorkflowStore workflowStore,
            ObjectProvider<TaskEventListener> listeners, OutboxSentTracker tracker) {
        return new SubmissionRows(new SubmissionSender(broker, workflowStore,
                TaskEventListener.of(listeners.orderedStream().toList())), tracker);
    }

    /** Where submissions in outbox mode go: a row of the table, in their transaction. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(OutboxSentTracker.class)
    OutboxSubmissions taskqueueOutboxSubmissions(DataSource dataSource, JdbcOutboxStore store,
            OutboxSentTracker tracker, ObjectProvider<OutboxRelay> relay) {
        return new OutboxSubmissions(dataSource, store, tracker, () -> relay.ifAvailable(OutboxRelay::wake));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(RowSender.class)
    @ConditionalOnBooleanProperty(name = "taskqueue.outbox.relay.enabled", matchIfMissing = true)
    OutboxRelay taskqueueOutboxRelay(JdbcOutboxStore store, RowSender sender, TaskQueueOutboxProperties properties) {
        return new OutboxRelay(store, sender, properties.getBatchSize(), properties.getPollInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(OutboxRelay.class)
    OutboxRelayLifecycle taskqueueOutboxRelayLifecycle(OutboxRelay relay, TaskQueueOutboxProperties properties) {
        return new OutboxRelayLifecycle(relay, properties.getShutdownTimeout());
    }

    /** On when submissions default to the outbox, or when calls may choose it ({@code taskqueue.outbox.enabled}). */
    static final class OutboxWanted extends AnyNestedCondition {

        OutboxWanted() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnProperty(name = "taskqueue.submit.transactions", havingValue = "outbox")
        static final class ByDefault {
        }

        @ConditionalOnBooleanProperty("taskqueue.outbox.enabled")
        static final class Enabled {
        }
    }

    /** The outbox's own Flyway run, when the application uses Flyway (it wins over Liquibase). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Flyway.class)
    @ConditionalOnBean(Flyway.class)
    static final class FlywayMigrationConfiguration {

        @Bean
        @Order(0)
        OutboxSchemaMigration taskqueueOutboxFlywayMigration() {
            return new FlywayOutboxMigration();
        }
    }

    /** The outbox's own Liquibase run, when the application uses Liquibase. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(SpringLiquibase.class)
    @ConditionalOnBean(SpringLiquibase.class)
    static final class LiquibaseMigrationConfiguration {

        @Bean
        @Order(1)
        OutboxSchemaMigration taskqueueOutboxLiquibaseMigration() {
            return new LiquibaseOutboxMigration();
        }
    }
}
