package dev.taskqueue.readme.shop;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.readme.shop.Domain.Receipts;

/** README's "Submitting": options per call, and many calls in one round trip. */
class Submitting {

    private final TaskClient taskClient;

    Submitting(TaskClient taskClient) {
        this.taskClient = taskClient;
    }

    void submit(String orderId, String email) {
        // tag::submitting[]
        // Options per call; unset options fall back to @Task, then to taskqueue.* properties.
        taskClient.withOptions(TaskOptions.defaults()
                .countdown(Duration.ofMinutes(5))        // or .eta(Instant)
                .priority(9)                             // 0 (default) to 9, most urgent first within a queue
                .queue("images-bulk")                    // instead of the task's own queue
                .expiresIn(Duration.ofHours(1))
                .taskId("order-42-receipt")              // your id: submitting it again does nothing, returns the same task
                .header("tenant", "acme"))
            .submit(Receipts::send, orderId, email);

        // Many tasks in one round trip to Redis; every call is checked (names, arguments, sizes) before any is sent:
        List<TaskHandle<?>> handles = taskClient.submitAll(List.of(
                TaskCall.of(Thumbnails::make, "img-1", 200),
                TaskCall.of("emails.receipt", "order-1", "ada@example.com")));
        // end::submitting[]
    }
}
