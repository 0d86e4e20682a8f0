package dev.taskqueue.outbox.autoconfigure;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.RecordingSenders;
import dev.taskqueue.outbox.TestDatabase;
import dev.taskqueue.outbox.schema.FlywayOutboxMigration;
import dev.taskqueue.outbox.schema.LiquibaseOutboxMigration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each way the outbox table gets created at startup, on H2 and a real PostgreSQL: the plain script (per
 * {@code taskqueue.outbox.initialize-schema}), and the outbox's own Flyway and Liquibase runs after the application's.
 * Each path ends with a store that relays a row, and survives a second startup on the same database.
 */
class OutboxSchemaInitializationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TaskQueueOutboxAutoConfiguration.class));

    private ApplicationContextRunner on(TestDatabase database, String url) {
        return runner.withPropertyValues("spring.datasource.url=" + url, "spring.datasource.username="
                + (database == TestDatabase.POSTGRESQL ? "postgres" : "sa"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void byDefaultTheScriptCreatesTheTableOnAnEmbeddedDatabaseOnly(TestDatabase database) {
        on(database, database.newDatabase()).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(JdbcOutboxStore.class);
            assertThat(context.getBean(JdbcOutboxStore.class).tableExists())
                    .isEqualTo(database == TestDatabase.H2);
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void alwaysCreatesTheTableWithItsConfiguredNameOnEveryDatabase(TestDatabase database) {
        String url = database.newDatabase();
        ApplicationContextRunner always = on(database, url).withPropertyValues(
                "taskqueue.outbox.initialize-schema=always", "taskqueue.outbox.table-name=shop_outbox");
        always.run(OutboxSchemaInitializationTests::relaysARow);
        always.run(OutboxSchemaInitializationTests::relaysARow);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void neverCreatesNothing(TestDatabase database) {
        on(database, database.newDatabase()).withPropertyValues("taskqueue.outbox.initialize-schema=never")
                .run(context -> assertThat(context.getBean(JdbcOutboxStore.class).tableExists()).isFalse());
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void withFlywayTheOutboxRunsItsOwnMigrationAfterTheApplicationsWithItsOwnHistory(TestDatabase database) {
        String url = database.newDatabase();
        ApplicationContextRunner flyway = on(database, url)
                .withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class))
                .withPropertyValues("spring.flyway.locations=classpath:db/user-migration");
        flyway.run(context -> {
            relaysARow(context);
            assertThat(TestDatabase.rows(context.getBean(javax.sql.DataSource.class), "orders")).isZero();
            assertThat(versions(context, "flyway_schema_history")).containsExactly("1");
            assertThat(versions(context, FlywayOutboxMigration.HISTORY_TABLE)).containsExactly("0", "1");
        });
        flyway.run(context -> {
            relaysARow(context);
            assertThat(versions(context, FlywayOutboxMigration.HISTORY_TABLE)).containsExactly("0", "1");
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void withLiquibaseTheOutboxRunsItsOwnChangelogAfterTheApplicationsWithItsOwnTables(TestDatabase database) {
        String url = database.newDatabase();
        ApplicationContextRunner liquibase = on(database, url)
                .withConfiguration(AutoConfigurations.of(LiquibaseAutoConfiguration.class))
                .withPropertyValues("spring.liquibase.change-log=classpath:db/user-changelog.yaml");
        for (int startup = 0; startup < 2; startup++) {
            liquibase.run(context -> {
                relaysARow(context);
                assertThat(TestDatabase.rows(context.getBean(javax.sql.DataSource.class), "orders")).isZero();
                assertThat(TestDatabase.rows(context.getBean(javax.sql.DataSource.class), "databasechangelog"))
                        .isOne();
                assertThat(TestDatabase.rows(context.getBean(javax.sql.DataSource.class),
                        LiquibaseOutboxMigration.CHANGELOG_TABLE)).isOne();
            });
        }
    }

    private static void relaysARow(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        JdbcOutboxStore store = context.getBean(JdbcOutboxStore.class);
        store.add("a row");
        assertThat(RecordingSenders.relayAll(store)).containsExactly("a row");
    }

    private static java.util.List<String> versions(AssertableApplicationContext context, String history) {
        return new org.springframework.jdbc.core.JdbcTemplate(context.getBean(javax.sql.DataSource.class))
                .queryForList("SELECT \"version\" FROM \"" + history + "\" WHERE \"success\" "
                        + "AND \"version\" IS NOT NULL ORDER BY \"installed_rank\"", String.class);
    }
}
