package dev.taskqueue.outbox.schema;

import java.util.Map;

import javax.sql.DataSource;

import dev.taskqueue.outbox.OutboxTable;
import liquibase.exception.LiquibaseException;
import liquibase.integration.spring.SpringLiquibase;

import org.springframework.core.io.DefaultResourceLoader;

/**
 * Creates the table with a Liquibase run of its own, for applications that use Liquibase: its own changelog
 * ({@value #CHANGELOG}) and changelog tables ({@value #CHANGELOG_TABLE}, {@value #CHANGELOG_LOCK_TABLE}), so that its
 * change sets never mix with the application's. It runs the Flyway migrations' SQL, so both paths create the same
 * table.
 */
public final class LiquibaseOutboxMigration implements OutboxSchemaMigration {

    /** The outbox's changelog. */
    public static final String CHANGELOG = "classpath:dev/taskqueue/outbox/db/changelog.yaml";

    /** The outbox's own changelog table. */
    public static final String CHANGELOG_TABLE = "taskqueue_databasechangelog";

    /** The outbox's own changelog lock table. */
    public static final String CHANGELOG_LOCK_TABLE = "taskqueue_databasechangeloglock";

    @Override
    public void migrate(DataSource dataSource, OutboxTable table) {
        SpringLiquibase liquibase = new SpringLiquibase();
        liquibase.setDataSource(dataSource);
        liquibase.setChangeLog(CHANGELOG);
        liquibase.setDatabaseChangeLogTable(CHANGELOG_TABLE);
        liquibase.setDatabaseChangeLogLockTable(CHANGELOG_LOCK_TABLE);
        liquibase.setChangeLogParameters(Map.of(TABLE_PLACEHOLDER, table.name()));
        liquibase.setResourceLoader(new DefaultResourceLoader(LiquibaseOutboxMigration.class.getClassLoader()));
        try {
            liquibase.afterPropertiesSet();
        }
        catch (LiquibaseException ex) {
            throw new IllegalStateException("The taskqueue outbox's Liquibase changelog " + CHANGELOG + " failed on "
                    + table.dialect().vendor() + ": " + ex.getMessage() + ". Create the table with "
                    + table.dialect().schemaScript() + " and set taskqueue.outbox.initialize-schema=never.", ex);
        }
    }

    @Override
    public boolean throughTheApplicationsMigrationTool() {
        return true;
    }
}
