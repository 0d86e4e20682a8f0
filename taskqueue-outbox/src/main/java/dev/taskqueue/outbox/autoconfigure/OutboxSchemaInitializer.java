package dev.taskqueue.outbox.autoconfigure;

import javax.sql.DataSource;

import dev.taskqueue.outbox.OutboxDialect;
import dev.taskqueue.outbox.OutboxTable;
import dev.taskqueue.outbox.autoconfigure.TaskQueueOutboxProperties.InitializeSchema;
import dev.taskqueue.outbox.schema.OutboxSchemaMigration;

import org.springframework.beans.factory.InitializingBean;

/**
 * Creates the outbox table at startup, before the store is used, through {@code migration} (the outbox's own Flyway
 * or Liquibase run when the application uses one, else the plain script), unless
 * {@code taskqueue.outbox.initialize-schema} says otherwise: {@code never} creates nothing, {@code embedded} (the
 * default) runs the script only on H2, but the Flyway or Liquibase run on every database.
 */
public class OutboxSchemaInitializer implements InitializingBean {

    private final DataSource dataSource;
    private final OutboxTable table;
    private final OutboxSchemaMigration migration;
    private final InitializeSchema mode;

    public OutboxSchemaInitializer(DataSource dataSource, OutboxTable table, OutboxSchemaMigration migration,
            InitializeSchema mode) {
        this.dataSource = dataSource;
        this.table = table;
        this.migration = migration;
        this.mode = mode;
    }

    @Override
    public void afterPropertiesSet() {
        if (shouldCreate()) {
            migration.migrate(dataSource, table);
        }
    }

    /** Whether this startup creates the table (when missing). */
    public boolean shouldCreate() {
        return switch (mode) {
            case NEVER -> false;
            case ALWAYS -> true;
            case EMBEDDED -> table.dialect() == OutboxDialect.H2 || migration.throughTheApplicationsMigrationTool();
        };
    }
}
