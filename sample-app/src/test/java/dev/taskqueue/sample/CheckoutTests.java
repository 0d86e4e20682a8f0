package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskState;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.event.TaskEventListener.Outcome;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.TaskQueueTester;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;

/**
 * Placing an order over HTTP is one transaction on the sample's H2 database, on a real Redis and worker: a placed
 * order is a row whose receipt task, written to the outbox in the same transaction, runs once; an order that fails
 * after its submits (an item sold out) leaves no order, no outbox row, no stock taken and no task.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTaskQueue
class CheckoutTests {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TaskClient taskClient;

    @Autowired
    TaskQueueTester tasks;

    RestClient http;

    @BeforeEach
    void client() {
        http = RestClient.create("http://127.0.0.1:" + port);
    }

    @Test
    void aPlacedOrderIsStoredAndItsReceiptRunsOnce() {
        long lamps = stock("lamp");

        ResponseEntity<Map<String, Object>> placed = http.post().uri("/orders")
                .body(Map.of("email", "ada@example.com", "items", List.of("lamp"), "imageId", "img-42"))
                .retrieve().toEntity(JSON);

        assertThat(placed.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        String orderId = (String) placed.getBody().get("id");
        String receiptTask = (String) placed.getBody().get("receiptTask");
        assertThat(jdbc.sql("SELECT email FROM orders WHERE id = ?").param(orderId).query(String.class).single())
                .isEqualTo("ada@example.com");
        assertThat(stock("lamp")).isEqualTo(lamps - 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> taskClient.handle(receiptTask).info().state() == TaskState.SUCCESS);
        tasks.awaitIdle(Duration.ofSeconds(20));
        assertThat(tasks.ran()).filteredOn(run -> run.taskId().equals(receiptTask)).extracting(Execution::outcome)
                .containsExactly(Outcome.SUCCESS);
        assertThat(outboxRows()).isZero();
    }

    @Test
    void anOrderWithASoldOutItemLeavesNoOrderNoOutboxRowAndNoTask() {
        long orders = orders();
        long lamps = stock("lamp");

        // The lamp is taken, then the vase is sold out: the transaction rolls back after both tasks were submitted.
        ResponseEntity<Map<String, Object>> refused = http.post().uri("/orders")
                .body(Map.of("email", "bob@example.com", "items", List.of("lamp", "vase"), "imageId", "img-sold-out"))
                .exchange((request, response) -> ResponseEntity.status(response.getStatusCode())
                        .body(response.bodyTo(JSON)));

        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(refused.getBody()).containsEntry("item", "vase").containsEntry("title", "Out of stock");
        assertThat((String) refused.getBody().get("detail")).contains("'vase' is out of stock",
                "Nothing was stored, and no receipt or thumbnail task was sent");
        assertThat(orders()).isEqualTo(orders);
        assertThat(stock("lamp")).isEqualTo(lamps);
        assertThat(outboxRows()).isZero();
        // A relay sends a committed row within milliseconds: a second without the order's tasks shows none was
        // committed (every other test of this context waits for the receipts it sends).
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(tasks.submitted()).noneMatch(task -> task.task().equals("emails.receipt")
                    || task.args().toString().contains("img-sold-out"));
            assertThat(tasks.ran()).extracting(Execution::taskName).doesNotContain("emails.receipt");
        });
    }

    private long orders() {
        return jdbc.sql("SELECT COUNT(*) FROM orders").query(Long.class).single();
    }

    private long stock(String item) {
        return jdbc.sql("SELECT quantity FROM stock WHERE item = ?").param(item).query(Long.class).single();
    }

    private long outboxRows() {
        return jdbc.sql("SELECT COUNT(*) FROM taskqueue_outbox").query(Long.class).single();
    }
}
