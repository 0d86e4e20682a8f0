package dev.taskqueue.sample;

// tag::fake-time[]
import java.time.Duration;

import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.TaskQueueTester;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
class ReportsTests {

    @Autowired
    TaskQueueTester tasks;

    @Test
    void theOrdersReportRunsEveryFiveMinutes() {
        tasks.advance(Duration.ofMinutes(15));   // the schedules' clock moves only when the test moves it

        assertThat(tasks.submitted("reports.orders")).hasSize(3);
        assertThat(tasks.runPending()).extracting(Execution::taskName).containsExactly("reports.orders",
                "reports.orders", "reports.orders");
    }
}
// end::fake-time[]
