package dev.taskqueue.test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.Workflows;
import dev.taskqueue.broker.WaitingTask;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.event.TaskEventListener.Outcome;
import dev.taskqueue.test.app.Mailer;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;

/** The tester of a test without Spring, on the test Redis: each helper against what Redis really holds. */
@ExtendWith(TaskQueueExtension.class)
class TaskQueueExtensionTests {

    private final Mailer mailer = new Mailer();

    @Test
    void submittedTasksAreReadWithTheirTaskQueueArgumentsAndDueTime(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        TaskHandle<String> ada = client.submit(Mailer::send, "ada@example.com", 2);
        TaskHandle<String> urgent = client.withOptions(TaskOptions.defaults().priority(9))
                .submit(Mailer::send, "bob@example.com", 1);
        Instant before = Instant.now();
        TaskHandle<Void> later = client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                .submit(Mailer::bounce, "eve@example.com");

        List<SubmittedTask> submitted = tasks.submitted();

        assertThat(submitted).extracting(SubmittedTask::id, SubmittedTask::task, SubmittedTask::queue,
                SubmittedTask::state, SubmittedTask::args).containsExactly(
                        tuple(later.id(), "mail.bounce", "default", WaitingTask.State.DELAYED,
                                List.of("eve@example.com")),
                        tuple(urgent.id(), "mail.send", "emails", WaitingTask.State.READY,
                                List.of("bob@example.com", 1)),
                        tuple(ada.id(), "mail.send", "emails", WaitingTask.State.READY,
                                List.of("ada@example.com", 2)));
        assertThat(submitted.get(0).dueAt()).isBetween(before.plus(Duration.ofMinutes(59)),
                Instant.now().plus(Duration.ofHours(1)));
        assertThat(submitted.get(1).priority()).isEqualTo(9);
        assertThat(submitted.get(2).arg(1, Integer.class)).isEqualTo(2);
        assertThat(submitted.get(2))
                .hasToString("mail.send [\"ada@example.com\",2] on emails, ready [" + ada.id() + "]");
        assertThat(tasks.submitted("mail.send")).extracting(SubmittedTask::id).containsExactly(urgent.id(), ada.id());
        assertThat(mailer.sent).as("nothing ran").isEmpty();
    }

    @Test
    void runPendingRunsDelayedTasksRetriesAndWorkflowsUntilNothingIsLeft(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        TaskHandle<String> later = client.withOptions(TaskOptions.defaults().countdown(Duration.ofDays(1)))
                .submit(Mailer::send, "ada@example.com", 1);
        TaskHandle<String> flaky = client.submit(Mailer::flaky, "bob@example.com");
        TaskHandle<String> last = client.submit(Workflows.chain(TaskCall.of(Mailer::send, "cy@example.com", 1),
                TaskCall.of(Mailer::send, "dee@example.com", 1).immutable()));

        List<Execution> ran = tasks.runPending();

        assertThat(ran).extracting(Execution::taskName, Execution::outcome).containsExactlyInAnyOrder(
                tuple("mail.send", Outcome.SUCCESS), tuple("mail.flaky", Outcome.RETRY),
                tuple("mail.flaky", Outcome.SUCCESS), tuple("mail.send", Outcome.SUCCESS),
                tuple("mail.send", Outcome.SUCCESS));
        assertThat(tasks.assertSucceeded(later).resultJson()).isEqualTo("\"ada@example.com x1\"");
        assertThat(tasks.assertSucceeded(flaky).attempt()).isEqualTo(2);
        tasks.assertSucceeded(last);
        assertThat(tasks.submitted()).isEmpty();
        assertThat(tasks.ran()).isEqualTo(ran);
        assertThat(tasks.runPending()).as("nothing left to run").isEmpty();
    }

    @Test
    void runPendingFailsAtItsDeadlineNamingWhatIsLeftAndWhy(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        client.withOptions(TaskOptions.defaults().queue("mail-typo")).submit(Mailer::send, "ada@example.com", 1);

        assertThatExceptionOfType(AssertionFailedError.class).isThrownBy(() -> tasks.runPending(Duration.ofMillis(300)))
                .withMessageContaining("runPending: after 300 ms, 1 task(s) have not finished:")
                .withMessageContaining("mail.send [\"ada@example.com\",1] on mail-typo, ready")
                .withMessageContaining("No worker of this test consumes [mail-typo] (it consumes [default, emails])");
    }

    @Test
    void awaitIdleWaitsForTheRunningWorkerAndSaysWhenNoneRuns(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        TaskHandle<Void> slow = client.submit(Mailer::slow, 300L);

        assertThatIllegalStateException().isThrownBy(() -> tasks.awaitIdle(Duration.ofSeconds(5)))
                .withMessageContaining("awaitIdle waits for the worker, and none runs")
                .withMessageContaining("mail.slow [300] on default, ready").withMessageContaining("runPending()");

        tasks.startWorker();
        tasks.awaitIdle(Duration.ofSeconds(10));
        tasks.assertSucceeded(slow);
        TaskHandle<Void> slower = client.submit(Mailer::slow, 2_000L);
        assertThatExceptionOfType(AssertionFailedError.class).isThrownBy(() -> tasks.awaitIdle(Duration.ofMillis(300)))
                .withMessageContaining("mail.slow [2000] on default, claimed [" + slower.id() + "]");
    }

    @Test
    void outcomeAssertionsNameTheStateTheErrorAndWhatToDo(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        TaskHandle<Void> bounce = client.submit(Mailer::bounce, "eve@example.com");

        assertThatExceptionOfType(AssertionFailedError.class).isThrownBy(() -> tasks.assertSucceeded(bounce))
                .withMessage("Task [" + bounce.id() + "] is PENDING, expected SUCCESS. It has not finished: run it "
                        + "first (runPending(), or awaitIdle(...) while the worker runs)");
        tasks.runPending();

        assertThat(tasks.assertFailed(bounce).message()).isEqualTo("no mailbox for eve@example.com");
        assertThatExceptionOfType(AssertionFailedError.class).isThrownBy(() -> tasks.assertSucceeded(bounce))
                .withMessageStartingWith("Task mail.bounce [" + bounce.id() + "] is FAILURE, expected SUCCESS: ")
                .withMessageContaining("no mailbox for eve@example.com");
        tasks.assertState(bounce, TaskState.FAILURE);
    }

    /** Time moves for schedules only when the test says, and every tick in between is submitted, in order. */
    @Test
    void advancingTimeSubmitsEveryTickInBetween(TaskQueueTester tasks) {
        tasks.register(mailer);
        Instant start = tasks.now();
        Instant firstHour = start.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));

        tasks.advanceTo(firstHour.plus(Duration.ofHours(2))); // the third tick is due at that very instant

        assertThat(tasks.now()).isEqualTo(firstHour.plus(Duration.ofHours(2)));
        assertThat(tasks.submitted("mail.digest")).extracting(SubmittedTask::id).containsExactly(
                "schedule:mail.digest:" + firstHour.toEpochMilli(),
                "schedule:mail.digest:" + firstHour.plus(Duration.ofHours(1)).toEpochMilli(),
                "schedule:mail.digest:" + firstHour.plus(Duration.ofHours(2)).toEpochMilli());
        assertThat(tasks.runPending()).extracting(Execution::taskName).containsOnly("mail.digest").hasSize(3);
        tasks.advance(Duration.ofMinutes(59));
        assertThat(tasks.submitted()).as("not an hour yet").isEmpty();
        tasks.advance(Duration.ofMinutes(1));
        assertThat(tasks.submitted("mail.digest")).hasSize(1);
        assertThatIllegalArgumentException().isThrownBy(() -> tasks.advance(Duration.ofSeconds(-1)))
                .withMessageContaining("Time only moves forward");
        assertThatIllegalArgumentException().isThrownBy(() -> tasks.advanceTo(start))
                .withMessageContaining("Time only moves forward");
    }

    @Test
    void resetForgetsEveryTaskAndRun(TaskQueueTester tasks) {
        TaskClient client = tasks.register(mailer).client();
        client.submit(Mailer::send, "ada@example.com", 1);
        tasks.runPending();
        client.submit(Mailer::send, "bob@example.com", 1);
        client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1))).submit(Mailer::bounce, "eve");

        tasks.reset();

        assertThat(tasks.submitted()).isEmpty();
        assertThat(tasks.ran()).isEmpty();
        assertThat(tasks.runPending()).isEmpty();
        assertThat(mailer.sent).containsExactly("ada@example.com");
    }

    /** Each tester has keys of its own, and leaves none behind once closed. */
    @Test
    void aTesterOfItsOwnIsolatesItsKeysAndDeletesThemWhenClosed(TaskQueueTester tasks) {
        StatefulRedisConnection<String, String> redis = TestRedis.client().connect();
        try {
            String prefix;
            try (TaskQueueTester own = TaskQueueTester.create()) {
                prefix = own.keyPrefix();
                own.register(new Mailer()).client().submit(Mailer::send, "ada@example.com", 1);
                own.runPending();
                tasks.register(mailer).client().submit(Mailer::send, "bob@example.com", 1);

                assertThat(prefix).isNotEqualTo(tasks.keyPrefix()).startsWith("taskqueue-test-");
                assertThat(own.submitted()).isEmpty();
                assertThat(tasks.submitted()).hasSize(1);
                assertThat(redis.sync().keys("{" + prefix + "*")).isNotEmpty();
            }
            assertThat(redis.sync().keys("{" + prefix + "*")).isEmpty();
            assertThat(tasks.submitted()).hasSize(1);
        }
        finally {
            redis.close();
        }
    }

    @Test
    void taskBeansAreRegisteredBeforeTheWorkerStarts(TaskQueueTester tasks) {
        tasks.startWorker();

        assertThatIllegalStateException().isThrownBy(() -> tasks.register(mailer))
                .withMessageContaining("Register task beans before the worker starts");
    }
}
