package dev.taskqueue.outbox.autoconfigure;

import java.time.Duration;

import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.outbox.OutboxTable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The outbox's settings, under {@code taskqueue.outbox}. */
@ConfigurationProperties("taskqueue.outbox")
public class TaskQueueOutboxProperties {

    /** The outbox table's name, a plain SQL identifier. */
    private String tableName = OutboxTable.DEFAULT_NAME;

    /**
     * When to create the outbox table at startup: embedded (the script on H2 only; the Flyway or Liquibase run, when
     * the application uses one, on every database), always, or never.
     */
    private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

    /** How long the relay waits for a local commit's wake before it looks for other instances' rows. */
    private Duration pollInterval = OutboxRelay.DEFAULT_POLL_INTERVAL;

    /** How many rows one relay round takes at most. */
    private int batchSize = OutboxRelay.DEFAULT_BATCH_SIZE;

    /** How old the oldest pending row may get before the outbox health component reports OUT_OF_SERVICE. */
    private Duration maxLag = Duration.ofMinutes(1);

    /** How long shutdown waits for the relay's current round before it interrupts it. */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public InitializeSchema getInitializeSchema() {
        return initializeSchema;
    }

    public void setInitializeSchema(InitializeSchema initializeSchema) {
        this.initializeSchema = initializeSchema;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public Duration getMaxLag() {
        return maxLag;
    }

    public void setMaxLag(Duration maxLag) {
        this.maxLag = maxLag;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    /** When the outbox table is created at startup. */
    public enum InitializeSchema {

        /** Only on an embedded database (H2); on others, an operator or the application's migrations create it. */
        EMBEDDED,

        /** On every database, when the table is missing. */
        ALWAYS,

        /** Never: the table is created by hand, from the documented script. */
        NEVER
    }
}
