package dev.taskqueue.outbox.schema;

import javax.sql.DataSource;

import dev.taskqueue.outbox.OutboxTable;

/** One way of creating the outbox table; each is safe to run on every startup (it does nothing once it ran). */
@FunctionalInterface
public interface OutboxSchemaMigration {

    /** The placeholder (Flyway) and changelog parameter (Liquibase) that the migrations' SQL names the table by. */
    String TABLE_PLACEHOLDER = "taskqueue_outbox_table";

    /** Creates {@code table} on {@code dataSource} unless it exists. */
    void migrate(DataSource dataSource, OutboxTable table);

    /**
     * Whether this runs through the application's own migration tool (Flyway, Liquibase). With
     * {@code taskqueue.outbox.initialize-schema=embedded} those run on every database, not only on embedded ones: the
     * application already lets that tool change its schema at startup.
     */
    default boolean throughTheApplicationsMigrationTool() {
        return false;
    }
}
