package dev.taskqueue.celery.readme;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.celery.python.PythonWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

/**
 * The README's "Working with Python Celery" runs as shown: its Java snippets ({@link CeleryReadmeSnippets}) against a
 * real Python worker of the test app {@code proj} on "celery", and its Python scripts (the text blocks here, which
 * {@link CeleryReadmePythonTest} finds in the README) against the Java worker of {@link ReadmeApplication} on "java".
 */
@SpringBootTest(classes = ReadmeApplication.class, properties = {
        "taskqueue.celery.queues=celery,java", "taskqueue.celery.worker.queues=java",
        "taskqueue.celery.routes.[proj.*]=celery", "taskqueue.celery.worker.shutdown-timeout=2s" })
class CeleryReadmeTest {

    /** A database of its own in this module (7 to 14 are the other tests'). */
    @RegisterExtension
    static final PythonWorkerExtension python = PythonWorkerExtension.on(15);

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        python.redisProperties(registry);
    }

    private static String py(String script) {
        return python.runOk(script, Duration.ofSeconds(40));
    }

    @Test
    void javaSubmitsToPythonWithOptionsAndKeywords() {
        assertThat(CeleryReadmeSnippets.submit(taskClient)).isEqualTo(5);
        assertThat(CeleryReadmeSnippets.options(taskClient)).asInstanceOf(MAP)
                .containsEntry("tenant", "acme")
                .containsEntry("priority", 3).containsEntry("timelimit", List.of(30, 20));
        assertThat(CeleryReadmeSnippets.kwargs(taskClient)).isEqualTo(Map.of("args", List.of(1), "kwargs",
                Map.of("name", "x")));
    }

    @Test
    void aPythonFailureArrivesWithItsTypeMessageAndTraceback() {
        TaskHandle<Object> handle = CeleryReadmeSnippets.failure(taskClient);

        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(1))).isInstanceOfSatisfying(TaskFailedException.class,
                failed -> {
                    assertThat(failed.getRemoteType()).isEqualTo("ValueError");
                    assertThat(failed.getRemoteMessage()).isEqualTo("(\"boom\", 42)");
                    assertThat(failed.getRemoteStackTrace()).startsWith("Traceback (most recent call last)");
                });
    }

    @Test
    void aRevokedCallIsNotRunByPython() {
        TaskHandle<Object> handle = CeleryReadmeSnippets.revoke(taskClient);

        assertThatThrownBy(() -> handle.get(Duration.ofSeconds(20))).isInstanceOf(TaskRevokedException.class);
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void javaWorkflowsMixBothSides() {
        assertThat(CeleryReadmeSnippets.chain(taskClient)).isEqualTo(39);
        assertThat(CeleryReadmeSnippets.chord(taskClient)).isEqualTo(12);
        TaskHandle<Object> failing = CeleryReadmeSnippets.links(taskClient);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(python.redis().redis().lrange("java-link", 0, -1)).containsExactly("2");
            assertThat(python.redis().redis().lrange("errbacks", 0, -1)).contains(failing.id());
        });
    }

    @Test
    void pythonCallsAJavaTaskWithKeywordArguments() {
        assertThat(py("""
                from proj.celery import app
                r = app.send_task('images.thumbnail', args=['img-42'], kwargs={'width': 200}, queue='java')
                print(r.get(timeout=20))
                """)).isEqualTo("{'imageId': 'img-42', 'width': 200}");
        assertThat(py("""
                from proj.celery import app
                add = app.signature('java.add')
                print(add.delay(40, 2).get(timeout=20))
                """)).isEqualTo("42");
    }

    @Test
    void aJavaExceptionReachesPythonAsAFailedResult() {
        assertThat(py("""
                from proj.celery import app
                r = app.send_task('images.thumbnail', args=['img-42'], kwargs={'width': 0}, queue='java')
                try:
                    r.get(timeout=20)
                except Exception as e:
                    print(type(e).__name__, '|', e, '|', r.state)
                """)).isEqualTo("IllegalArgumentException | width must be between 1 and 4096, got 0 | FAILURE");
    }
}
