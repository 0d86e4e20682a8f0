package dev.taskqueue.sample;

import java.util.UUID;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.sample.Orders.Order;
import dev.taskqueue.sample.ShopController.NewOrder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Places an order in one database transaction: the order's row, its tasks (one row of the outbox, since the sample
 * sets {@code taskqueue.submit.transactions=outbox}) and the stock it takes commit together, or not at all. The
 * outbox's relay moves the tasks to Redis once the transaction commits, within milliseconds; when it rolls back (an
 * item is sold out), no task is ever sent.
 */
@Service
public class Checkout {

    private final TaskClient tasks;
    private final Orders orders;
    private final Stock stock;

    public Checkout(TaskClient tasks, Orders orders, Stock stock) {
        this.tasks = tasks;
        this.orders = orders;
        this.stock = stock;
    }

    // tag::place-order[]
    @Transactional
    public Order place(NewOrder request) {
        String orderId = "order-" + UUID.randomUUID().toString().substring(0, 8);
        // The receipt's id derives from the order: a retried request cannot send two receipts.
        TaskHandle<Receipts.Receipt> receipt = tasks
                .withOptions(TaskOptions.defaults().taskId(orderId + "-receipt"))
                .submit(Receipts::send, orderId, request.email());
        TaskHandle<Thumbnails.Thumbnail> thumbnail = tasks.submit(Thumbnails::make, request.imageId(), 200);
        Order order = new Order(orderId, request.email(), request.items(), request.imageId(), receipt.id(),
                thumbnail.id());
        orders.save(order);
        stock.take(request.items()); // sold out: OutOfStockException rolls back the order, and its tasks with it
        return order;
    }
    // end::place-order[]
}
