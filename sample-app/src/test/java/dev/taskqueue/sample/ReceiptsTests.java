package dev.taskqueue.sample;

// tag::extension-test[]
import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.sample.Receipts.Receipt;
import dev.taskqueue.test.TaskQueueExtension;
import dev.taskqueue.test.TaskQueueTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(TaskQueueExtension.class)
class ReceiptsTests {

    @Test
    void aRetriedRequestSendsOneReceipt(TaskQueueTester tasks) {
        TaskClient taskClient = tasks.register(new Receipts()).client();   // a client and a worker of its own
        TaskOptions once = TaskOptions.defaults().taskId("order-1-receipt");

        TaskHandle<Receipt> receipt = taskClient.withOptions(once).submit(Receipts::send, "order-1", "ada@example.com");
        taskClient.withOptions(once).submit(Receipts::send, "order-1", "ada@example.com");   // the same id: ignored

        assertThat(tasks.submitted("emails.receipt")).hasSize(1);
        assertThat(tasks.runPending()).hasSize(1);
        tasks.assertSucceeded(receipt);
        assertThat(receipt.get(Duration.ZERO).email()).isEqualTo("ada@example.com");
    }
}
// end::extension-test[]
