package dev.taskqueue.outbox;

import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.taskqueue.outbox.schema.ScriptOutboxMigration;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The databases every outbox test runs on: a fresh, empty database of each per call. */
public enum TestDatabase {

    /** An in-memory H2 database. */
    H2,

    /** A database of the test {@link PostgresServer} (skipped when PostgreSQL is not installed). */
    POSTGRESQL;

    private static final AtomicInteger h2Databases = new AtomicInteger();

    /** The JDBC URL of a new, empty database. */
    public String newDatabase() {
        return switch (this) {
            case H2 -> "jdbc:h2:mem:outbox-" + h2Databases.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
            case POSTGRESQL -> PostgresServer.require().newDatabase();
        };
    }

    /** A pool on {@code url}, the way Spring Boot makes one (with short timeouts: tests stop servers). */
    public HikariDataSource pool(String url) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername(this == POSTGRESQL ? PostgresServer.require().user() : "sa");
        pool.setMaximumPoolSize(5);
        pool.setConnectionTimeout(2_000);
        pool.setValidationTimeout(1_000);
        pool.setInitializationFailTimeout(-1);
        return pool;
    }

    /** A store on a new database, its table created by the plain script. */
    public static JdbcOutboxStore storeOn(DataSource dataSource) {
        OutboxTable table = new OutboxTable(OutboxTable.DEFAULT_NAME, OutboxDialect.of(dataSource));
        new ScriptOutboxMigration().migrate(dataSource, table);
        return new JdbcOutboxStore(dataSource, table);
    }

    /** Runs {@code work} in a transaction of the application's kind, committing it. */
    public static void inTransaction(DataSource dataSource, Runnable work) {
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(status -> work.run());
    }

    /** The number of rows in {@code table}. */
    public static long rows(DataSource dataSource, String table) {
        Long count = new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
        return count == null ? 0 : count;
    }
}
