package dev.taskqueue.celery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.celery.app.CeleryTestApplication;
import dev.taskqueue.celery.python.PythonWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Java submits to Celery queues; an unmodified Python Celery worker runs the tasks; Java follows their results. */
@SpringBootTest(classes = CeleryTestApplication.class)
class JavaToPythonTest {

    @RegisterExtension
    static final PythonWorkerExtension python = PythonWorkerExtension.on(9);

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        python.redisProperties(registry);
        registry.add("taskqueue.celery.queues", () -> "celery,java");
        registry.add("taskqueue.celery.routes.[proj.*]", () -> "celery");
    }

    @Test
    void aJavaSubmitByNameIsRunByPythonAndItsResultComesBack() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.add", 2, 3);

        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(5);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aPythonExceptionArrivesWithItsTypeMessageAndTraceback() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.fail", "boom");

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(20))).isInstanceOfSatisfying(TaskFailedException.class,
                failed -> {
                    assertThat(failed.getRemoteType()).isEqualTo("ValueError");
                    assertThat(failed.getRemoteMessage()).isEqualTo("(\"boom\", 42)");
                    assertThat(failed.getRemoteStackTrace()).contains("Traceback", "raise ValueError");
                });
        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
    }

    @Test
    void theJavaCallsOptionsArriveAsPythonsOwn() {
        Instant before = Instant.now();
        TaskHandle<Object> handle = taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(1))
                .expiresIn(Duration.ofMinutes(5)).priority(3).timeLimits(Duration.ofSeconds(20), Duration.ofSeconds(30))
                .header("tenant", "acme").header("retries", "2")).submit("proj.tasks.request_info");

        @SuppressWarnings("unchecked")
        Map<String, Object> seen = (Map<String, Object>) handle.get(Duration.ofSeconds(20));
        assertThat(Duration.between(before, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(seen).containsEntry("retries", 2).containsEntry("timelimit", List.of(30, 20))
                .containsEntry("priority", 3).containsEntry("tenant", "acme").containsEntry("lang", "java")
                .containsEntry("root_id", handle.id());
        assertThat((String) seen.get("eta")).endsWith("+00:00");
        assertThat((String) seen.get("expires")).endsWith("+00:00");
    }

    @Test
    void aTaskNotYetRunIsPending() {
        TaskHandle<Object> handle = taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(2)))
                .submit("proj.tasks.add", 1, 1);

        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
        assertThat(taskClient.handle("celery", "no-such-task", Object.class).state()).isEqualTo(TaskState.PENDING);
        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(2);
    }

    @Test
    void theHandleSeesStartedThenSuccess() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.slow", 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == TaskState.STARTED);
        assertThat(handle.info().worker()).startsWith("py-");
        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(2);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void aPythonRetryShowsAsRetryThenSucceeds() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.retry_once", "java-" + System.nanoTime());

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> handle.state() == TaskState.RETRY);
        assertThat(handle.info().error().type()).isEqualTo("KeyError");
        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo("retried");
    }

    @Test
    void anExpiredCallIsRevokedByPython() {
        TaskHandle<Object> handle = taskClient.withOptions(TaskOptions.defaults()
                .expiresAt(Instant.now().minusSeconds(5))).submit("proj.tasks.add", 1, 1);

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(20))).isInstanceOf(TaskRevokedException.class)
                .hasMessageContaining("expired");
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void revokeFromJavaReachesThePythonWorker() {
        TaskHandle<Object> handle = taskClient.withOptions(TaskOptions.defaults().countdown(Duration.ofSeconds(3)))
                .submit("proj.tasks.add", 1, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> python.worker().log().contains(handle.id()));

        assertThat(handle.revoke()).isTrue();

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(20))).isInstanceOf(TaskRevokedException.class);
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void callsToTaskqueuesOwnQueuesKeepTheirOwnFormatBesideCeleryOnes() {
        TaskHandle<Object> handle = taskClient.submit("native.twice", 21);

        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(42);
        assertThat(handle).isNotInstanceOf(CeleryTaskHandle.class);
        assertThat(python.redis().redis().exists("native", "celery-task-meta-" + handle.id())).isZero();
    }

    @Test
    void keywordArgumentsReachPython() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.echo", 1, Kwargs.of("name", "x"));

        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(java.util.Map.of("args", List.of(1), "kwargs",
                java.util.Map.of("name", "x")));
    }
}
