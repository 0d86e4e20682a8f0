package dev.taskqueue.outbox.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.event.TaskEventListener;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application of the end-to-end tests: orders, placed in a transaction with one task each, and the task that
 * ships them. Each run of the task adds a row to {@code shipments}, in the database, so that runs are counted across
 * JVMs and restarts; the task also reads its order, so it fails to find it if it ran before the commit.
 */
@Configuration(proxyBeanMethods = false)
public class Orders {

    /** The task's name. */
    public static final String SHIP = "e2e.ship-order";

    /** Tasks this instance stored in Redis, and submissions Redis already had (an outbox row relayed again). */
    final AtomicInteger stored = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    Orders(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
        jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY)");
        jdbc.execute("CREATE TABLE IF NOT EXISTS shipments (order_id VARCHAR(64) NOT NULL)");
    }

    @Bean
    TaskEventListener orderEvents() {
        return new TaskEventListener() {
            @Override
            public void sent(String taskId, String taskName, String queue) {
                stored.incrementAndGet();
            }

            @Override
            public void duplicateSubmitted(String taskName, String queue) {
                duplicates.incrementAndGet();
            }
        };
    }

    @Task(name = SHIP)
    public int ship(String orderId) {
        jdbc.update("INSERT INTO shipments (order_id) VALUES (?)", orderId);
        Integer found = jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE id = ?", Integer.class, orderId);
        return found == null ? 0 : found;
    }

    /** A task that takes a text of any length (the tests make it too large for Redis). */
    @Task(name = "e2e.note")
    public int note(String text) {
        return text.length();
    }

    /** Places the orders in ONE transaction, each with its task (so one outbox row), and commits it. */
    public List<TaskHandle<Integer>> place(TaskClient client, List<String> orderIds) {
        List<TaskHandle<Integer>> handles = tx.execute(status -> {
            List<TaskHandle<Integer>> inside = new ArrayList<>();
            for (String id : orderIds) {
                jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
                inside.add(client.submit(Orders::ship, id));
            }
            return inside;
        });
        return handles == null ? List.of() : handles;
    }

    /** How many times each order was shipped. */
    public Map<String, Long> shipments() {
        return jdbc.queryForList("SELECT order_id FROM shipments", String.class).stream()
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    /** Rows in the outbox table, pending or failed. */
    public long outboxRows() {
        Long rows = jdbc.queryForObject("SELECT COUNT(*) FROM taskqueue_outbox", Long.class);
        return rows == null ? 0 : rows;
    }

    public int stored() {
        return stored.get();
    }

    public int duplicates() {
        return duplicates.get();
    }
}
