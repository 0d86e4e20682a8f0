package dev.taskqueue.test;

import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.spring.TaskQueueWorkerLifecycle;
import dev.taskqueue.test.app.MailApplication;
import dev.taskqueue.test.app.Mailer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A Spring Boot test whose tasks wait until the test runs them: what was submitted is exactly what Redis holds. */
@SpringBootTest(classes = MailApplication.class)
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
class ManualWorkerTests {

    @Autowired
    TaskClient taskClient;

    @Autowired
    TaskQueueTester tasks;

    @Autowired
    TaskQueueWorkerLifecycle worker;

    @Test
    void tasksWaitUntilTheTestRunsThem() {
        TaskHandle<String> handle = taskClient.submit(Mailer::send, "ada@example.com", 2);

        assertThat(worker.isRunning()).isFalse();
        assertThat(tasks.submitted()).extracting(SubmittedTask::task, SubmittedTask::state, SubmittedTask::args)
                .containsExactly(tuple("mail.send", WaitingTask.State.READY, java.util.List.of("ada@example.com", 2)));

        assertThat(tasks.runPending()).extracting(Execution::taskId).containsExactly(handle.id());
        assertThat(worker.isRunning()).as("stopped again").isFalse();
        tasks.assertSucceeded(handle);
    }

    @Test
    void aTickWaitsAsAnyTask() {
        tasks.advance(Duration.ofHours(1));

        assertThat(tasks.submitted("mail.digest")).singleElement()
                .satisfies(tick -> assertThat(tick.id()).startsWith("schedule:mail.digest:"));
    }

    @Test
    void aWorkerTheTestStartedIsStoppedAfterIt() {
        assertThat(worker.isRunning()).isFalse();
        assertThat(tasks.submitted()).isEmpty();
        tasks.startWorker();
        assertThat(taskClient.submit(Mailer::send, "bob@example.com", 1).get(Duration.ofSeconds(10)))
                .isEqualTo("bob@example.com x1");
    }
}
