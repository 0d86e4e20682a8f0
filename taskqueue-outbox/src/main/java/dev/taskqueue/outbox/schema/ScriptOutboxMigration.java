package dev.taskqueue.outbox.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxTable;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Runs the dialect's plain script ({@code classpath:dev/taskqueue/outbox/schema-{vendor}.sql}) when the table is
 * missing, with the configured table name written where the script says {@code taskqueue_outbox}: the same script an
 * operator runs by hand.
 */
public final class ScriptOutboxMigration implements OutboxSchemaMigration {

    @Override
    public void migrate(DataSource dataSource, OutboxTable table) {
        if (new JdbcOutboxStore(dataSource, table).tableExists()) {
            return;
        }
        new ResourceDatabasePopulator(script(table)).execute(dataSource);
    }

    /** The dialect's script, naming {@code table}. */
    static Resource script(OutboxTable table) {
        String location = table.dialect().schemaScript();
        try {
            String sql = new DefaultResourceLoader(ScriptOutboxMigration.class.getClassLoader()).getResource(location)
                    .getContentAsString(StandardCharsets.UTF_8);
            return new ByteArrayResource(sql.replace(OutboxTable.DEFAULT_NAME, table.name())
                    .getBytes(StandardCharsets.UTF_8), location);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read " + location + " from taskqueue-outbox's jar", ex);
        }
    }
}
