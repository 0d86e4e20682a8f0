package dev.taskqueue.readme.shop;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TransactionMode;
import dev.taskqueue.readme.shop.Domain.Receipts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** README's "Transactions": submits that go with the caller's transaction. */
@Service
class Checkout {

    private static final Logger log = LoggerFactory.getLogger(Checkout.class);

    private final JdbcTemplate jdbc;
    private final TaskClient taskClient;

    Checkout(JdbcTemplate jdbc, TaskClient taskClient) {
        this.jdbc = jdbc;
        this.taskClient = taskClient;
    }

    // tag::after-commit[]
    @Transactional
    public void placeOrder(String orderId, String email) {
        jdbc.update("INSERT INTO orders (id, email) VALUES (?, ?)", orderId, email);
        taskClient.submit(Receipts::send, orderId, email); // sent when this transaction commits, never if it rolls back
    }
    // end::after-commit[]

    @Transactional
    public void placeOrderThroughTheOutbox(String orderId, String email) {
        jdbc.update("INSERT INTO orders (id, email) VALUES (?, ?)", orderId, email);
        // tag::per-call[]
        // This call only: a row of the outbox table, in this transaction (survives a crash at the commit)
        TaskHandle<Void> receipt = taskClient
                .withOptions(TaskOptions.defaults().transactionMode(TransactionMode.OUTBOX))
                .submit(Receipts::send, orderId, email);
        receipt.sent().thenRun(() -> log.info("Receipt task {} is in Redis", receipt.id()));
        // end::per-call[]
    }
}
