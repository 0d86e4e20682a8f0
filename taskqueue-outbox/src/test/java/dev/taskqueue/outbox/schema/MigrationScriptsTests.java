package dev.taskqueue.outbox.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import dev.taskqueue.outbox.OutboxDialect;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Flyway migration (which the Liquibase changelog also runs) creates the same table as the plain script an
 * operator runs: the same statements, with the table name as a placeholder. A change to one without the other fails
 * here.
 */
class MigrationScriptsTests {

    @ParameterizedTest
    @EnumSource(OutboxDialect.class)
    void theFlywayMigrationIsThePlainScriptWithTheTableNameAsAPlaceholder(OutboxDialect dialect) throws IOException {
        String script = read("dev/taskqueue/outbox/schema-" + dialect.vendor() + ".sql");
        String migration = read("dev/taskqueue/outbox/db/flyway/" + dialect.vendor()
                + "/V1__create_taskqueue_outbox.sql");

        assertThat(migration).isEqualTo(withoutComments(script).replace("taskqueue_outbox",
                "${" + OutboxSchemaMigration.TABLE_PLACEHOLDER + "}"));
    }

    private static String withoutComments(String sql) {
        return sql.lines().filter(line -> !line.startsWith("--")).map(line -> line + "\n")
                .reduce("", String::concat);
    }

    private static String read(String path) throws IOException {
        return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
    }
}
