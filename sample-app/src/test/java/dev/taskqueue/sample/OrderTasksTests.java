package dev.taskqueue.sample;

// tag::manual-test[]
import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.sample.Orders.Order;
import dev.taskqueue.sample.Receipts.Receipt;
import dev.taskqueue.sample.ShopController.NewOrder;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.SubmittedTask;
import dev.taskqueue.test.TaskQueueTester;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

@SpringBootTest
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
class OrderTasksTests {

    @Autowired
    ShopController shop;

    @Autowired
    TaskClient taskClient;

    @Autowired
    TaskQueueTester tasks;

    @Test
    void anOrderSubmitsItsReceiptAndItsThumbnail() {
        Order order = shop.placeOrder(new NewOrder("ada@example.com", List.of("lamp"), "img-42")).getBody();

        assertThat(tasks.submitted()).extracting(SubmittedTask::task, SubmittedTask::queue, SubmittedTask::args)
                .containsExactly(
                        tuple("emails.receipt", "emails", List.of(order.id(), "ada@example.com")),
                        tuple("images.thumbnail", "images", List.of("img-42", 200)));

        tasks.runPending();   // runs them, and whatever they submit, until nothing is left

        Receipt receipt = taskClient.handle(order.receiptTask(), Receipt.class).get(Duration.ZERO);
        assertThat(receipt.email()).isEqualTo("ada@example.com");
        tasks.assertSucceeded(taskClient.handle(order.thumbnailTask()));
    }
}
// end::manual-test[]
