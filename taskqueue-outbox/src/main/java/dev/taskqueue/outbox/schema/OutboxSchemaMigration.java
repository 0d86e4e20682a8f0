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
}
