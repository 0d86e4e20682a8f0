package dev.taskqueue.outbox;

import java.sql.DatabaseMetaData;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * The databases the outbox runs on, detected from the JDBC driver's {@link DatabaseMetaData}; each differs in the one
 * statement that takes a relay round's rows.
 */
public enum OutboxDialect {

    /** PostgreSQL: rows are taken with {@code DELETE ... FOR UPDATE SKIP LOCKED ... RETURNING}. */
    POSTGRESQL("postgresql", "PostgreSQL"),

    /** H2 (2.2 or later): rows are taken with {@code SELECT ... FROM OLD TABLE (DELETE ... SKIP LOCKED)}. */
    H2("h2", "H2");

    private final String vendor;
    private final String productName;

    OutboxDialect(String vendor, String productName) {
        this.vendor = vendor;
        this.productName = productName;
    }

    /** The name in the schema scripts' and migrations' paths: {@code postgresql}, {@code h2}. */
    public String vendor() {
        return vendor;
    }

    /** The plain script that creates the table on this database, as a class path location. */
    public String schemaScript() {
        return "classpath:dev/taskqueue/outbox/schema-" + vendor + ".sql";
    }

    /** The dialect of the database behind {@code dataSource}; fails, saying what to do, on any other database. */
    public static OutboxDialect of(DataSource dataSource) {
        String product;
        try {
            product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        }
        catch (MetaDataAccessException ex) {
            throw new IllegalStateException("The taskqueue outbox cannot read which database its DataSource is: "
                    + ex.getMessage() + ". Check that the database runs and that spring.datasource.* points at it.", ex);
        }
        return ofProductName(product);
    }

    static OutboxDialect ofProductName(String product) {
        for (OutboxDialect dialect : values()) {
            if (dialect.productName.equalsIgnoreCase(product.trim())) {
                return dialect;
            }
        }
        throw new IllegalStateException("The taskqueue outbox runs on PostgreSQL and H2, and this DataSource is "
                + product + ". Use taskqueue.submit.transactions=after-commit on this database, or adapt "
                + POSTGRESQL.schemaScript() + " and the statements of " + OutboxTable.class.getName()
                + " to " + product + " (its relay needs row locks that skip locked rows).");
    }
}
