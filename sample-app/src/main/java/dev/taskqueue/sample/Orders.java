package dev.taskqueue.sample;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/** The orders placed, in memory (a real shop keeps them in a database). */
@Component
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

    private final Map<String, Order> byId = new ConcurrentHashMap<>();

    public void save(Order order) {
        byId.put(order.id(), order);
    }

    public Optional<Order> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public int count() {
        return byId.size();
    }
}
