package dev.taskqueue.outbox.schema;

import java.util.Map;

import javax.sql.DataSource;

import dev.taskqueue.outbox.OutboxTable;
import org.flywaydb.core.Flyway;

/**
 * Creates the table with a Flyway run of its own, for applications that use Flyway: its own history table
 * ({@value #HISTORY_TABLE}) and migrations ({@code classpath:dev/taskqueue/outbox/db/flyway/{vendor}}), so that its
 * versions never collide with the application's.
 *
 * <p>The application's schema is not empty (it holds the application's tables and history), which Flyway refuses to
 * migrate without a history of its own; {@code baselineOnMigrate} with baseline version 0 lets it start there and
 * still apply version 1.
 */
public final class FlywayOutboxMigration implements OutboxSchemaMigration {

    /** The outbox's own Flyway history table. */
    public static final String HISTORY_TABLE = "taskqueue_flyway_history";

    @Override
    public void migrate(DataSource dataSource, OutboxTable table) {
        Flyway.configure(FlywayOutboxMigration.class.getClassLoader())
                .dataSource(dataSource)
                .table(HISTORY_TABLE)
                .locations("classpath:dev/taskqueue/outbox/db/flyway/" + table.dialect().vendor())
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .placeholders(Map.of(TABLE_PLACEHOLDER, table.name()))
                .load()
                .migrate();
    }

    @Override
    public boolean throughTheApplicationsMigrationTool() {
        return true;
    }
}
