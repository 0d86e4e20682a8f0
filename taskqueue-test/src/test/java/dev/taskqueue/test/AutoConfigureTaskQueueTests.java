package dev.taskqueue.test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.event.TaskEventListener.Execution;
import dev.taskqueue.event.TaskEventListener.Outcome;
import dev.taskqueue.test.app.MailApplication;
import dev.taskqueue.test.app.Mailer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A Spring Boot test with the application's worker running, as in production, on the test Redis. */
@SpringBootTest(classes = MailApplication.class, properties = "spring.data.redis.port=1")
@AutoConfigureTaskQueue
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoConfigureTaskQueueTests {

    @Autowired
    TaskClient taskClient;

    @Autowired
    TaskQueueTester tasks;

    @Autowired
    Mailer mailer;

    @Autowired
    LettuceConnectionFactory redis;

    @Autowired
    MailApplication.Stamps stamps;

    @Test
    @Order(1)
    void theApplicationRunsItsTasksOnTheTestRedisUnderAPrefixOfItsOwn() {
        TaskHandle<String> handle = taskClient.submit(Mailer::send, "ada@example.com", 2);

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo("ada@example.com x2");
        assertThat(redis.getPort()).as("the test Redis wins over spring.data.redis.*").isEqualTo(TestRedis.port());
        assertThat(tasks.keyPrefix()).startsWith("taskqueue-test-");
        assertThat(tasks.client()).isSameAs(taskClient);
        assertThat(stamps.clock).as("the application's own Clock bean, by type").isSameAs(Clock.systemUTC());
    }

    @Test
    @Order(2)
    void eachTestStartsWithEmptyQueuesAndNoRuns() {
        assertThat(tasks.ran()).isEmpty();
        taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1))).submit(Mailer::send, "late", 1);
        assertThat(tasks.submitted()).hasSize(1); // the next test does not see it
    }

    @Test
    @Order(3)
    void awaitIdleWaitsForRetriesDueBeforeItsDeadlineAndRunPendingRunsTheRest() {
        assertThat(tasks.submitted()).as("what the test before left").isEmpty();
        TaskHandle<Void> slow = taskClient.submit(Mailer::slow, 200L);
        TaskHandle<String> flaky = taskClient.submit(Mailer::flaky, "bob@example.com"); // retries in 10 min

        tasks.awaitIdle(Duration.ofSeconds(10));

        tasks.assertSucceeded(slow);
        assertThat(tasks.submitted()).extracting(SubmittedTask::id).containsExactly(flaky.id());
        List<Execution> ran = tasks.runPending();
        assertThat(ran).extracting(Execution::taskName, Execution::outcome)
                .containsExactly(tuple("mail.flaky", Outcome.SUCCESS));
        assertThat(tasks.assertSucceeded(flaky).attempt()).isEqualTo(2);
        assertThat(tasks.ran()).extracting(Execution::outcome).containsExactlyInAnyOrder(Outcome.SUCCESS,
                Outcome.RETRY, Outcome.SUCCESS);
    }

    @Test
    @Order(4)
    void schedulesTickWhenTheTestMovesTime() {
        int before = mailer.sent.size();

        tasks.advance(Duration.ofHours(2));
        tasks.awaitIdle(Duration.ofSeconds(10));

        assertThat(tasks.ran()).extracting(Execution::taskName).containsExactly("mail.digest", "mail.digest");
        assertThat(mailer.sent).hasSize(before);
    }
}
