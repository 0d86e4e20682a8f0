package dev.taskqueue.sample;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The orders placed, in the table {@code orders} (schema.sql). {@link #save} joins the caller's transaction, so an
 * order commits or rolls back with the rest of {@link Checkout#place}, its outbox row included.
 */
@Repository
public class Orders {

    /**
     * An order and the ids of the tasks it started.
     *
     * @param id the order id
     * @param email where the receipt goes
     * @param items what was bought
     * @param imageId the product image to make a thumbnail of
     * @param receiptTask the id of the receipt task
     * @param thumbnailTask the id of the thumbnail task
     */
    public record Order(String id, String email, List<String> items, String imageId, String receiptTask,
            String thumbnailTask) {
    }

    private static final TypeReference<List<String>> ITEMS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public Orders(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void save(Order order) {
        jdbc.sql("INSERT INTO orders (id, email, items, image_id, receipt_task, thumbnail_task) "
                + "VALUES (?, ?, ?, ?, ?, ?)")
                .params(order.id(), order.email(), json.writeValueAsString(order.items()), order.imageId(),
                        order.receiptTask(), order.thumbnailTask())
                .update();
    }

    public Optional<Order> find(String id) {
        return jdbc.sql("SELECT * FROM orders WHERE id = ?").param(id)
                .query((rs, n) -> new Order(rs.getString("id"), rs.getString("email"),
                        json.readValue(rs.getString("items"), ITEMS), rs.getString("image_id"),
                        rs.getString("receipt_task"), rs.getString("thumbnail_task")))
                .optional();
    }

    public int count() {
        return jdbc.sql("SELECT COUNT(*) FROM orders").query(Integer.class).single();
    }
}
