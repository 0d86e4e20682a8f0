package dev.taskqueue.celery;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.Workflows;
import dev.taskqueue.celery.app.CeleryTestApplication;
import dev.taskqueue.celery.app.JavaTasks;
import dev.taskqueue.celery.python.PythonWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workflows whose steps run on both sides: a Python worker consumes "celery", a Java worker "java"; chains, links and
 * chords are sent from either side and completed by whichever side runs their last step.
 */
@SpringBootTest(classes = CeleryTestApplication.class, properties = {
        "taskqueue.celery.queues=celery,java", "taskqueue.celery.worker.queues=java",
        "taskqueue.celery.routes.[proj.*]=celery", "taskqueue.celery.routes.[java.*]=java",
        "taskqueue.celery.worker.shutdown-timeout=2s" })
class WorkflowsAcrossLanguagesTest {

    @RegisterExtension
    static final PythonWorkerExtension python = PythonWorkerExtension.on(11);

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        python.redisProperties(registry);
    }

    private String py(String script) {
        return python.runOk(script, Duration.ofSeconds(60));
    }

    @Test
    void aChainFromPythonAlternatesPythonJavaPython() {
        assertThat(py("""
                from celery import chain
                from proj.celery import app
                from proj.tasks import add, mul
                r = chain(add.s(1, 2), app.signature('java.add', args=(10,)), mul.s(3)).apply_async()
                print(r.get(timeout=30))
                """)).isEqualTo("39");
    }

    @Test
    void aChainFromJavaAlternatesPythonJavaPython() {
        TaskHandle<Object> last = taskClient.submit(Workflows.chain(TaskCall.of("proj.tasks.add", 1, 2),
                TaskCall.of("java.add", 10), TaskCall.of("proj.tasks.mul", 3)));

        assertThat(last.get(Duration.ofSeconds(30))).isEqualTo(39);
    }

    @Test
    void pythonLinksAndErrorLinksRunJavaTasks() {
        py("""
                from proj.celery import app
                from proj.tasks import add, fail
                add.apply_async((2, 2), link=app.signature('java.record', args=('py-link',))).get(timeout=20)
                r = fail.apply_async(('x',), link_error=app.signature('java.record', args=('py-errback',)))
                try:
                    r.get(timeout=20)
                except Exception:
                    pass
                print(r.id)
                """);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(JavaTasks.RECORDED.get("py-link")).containsExactly(4);
            assertThat(JavaTasks.RECORDED.get("py-errback")).hasSize(1);
        });
    }

    @Test
    void javaLinksAndErrorLinksRunPythonTasks() {
        taskClient.submit(TaskCall.of("java.add", 1, 1).link(TaskCall.of("proj.tasks.record", "java-link")));
        TaskHandle<Object> failing = taskClient.submit(TaskCall.of("java.fail", "no")
                .linkError(TaskCall.of("proj.tasks.on_error")));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(python.redis().redis().lrange("java-link", 0, -1)).containsExactly("2");
            assertThat(python.redis().redis().lrange("errbacks", 0, -1)).contains(failing.id());
        });
    }

    @Test
    void aChordWithAMixedHeaderCompletesOnceWithAPythonBody() {
        assertThat(py("""
                from celery import chord
                from proj.celery import app
                from proj.tasks import add, tsum
                header = [add.s(1, 1), app.signature('java.add', args=(2, 2)), add.s(3, 3), app.signature('java.add', args=(4, 4))]
                print(chord(header)(tsum.s()).get(timeout=30))
                """)).isEqualTo("20");
    }

    @Test
    void aChordWithAMixedHeaderCompletesOnceWithAJavaBody() {
        assertThat(py("""
                from celery import chord
                from proj.celery import app
                from proj.tasks import add
                header = [add.s(1, 1), app.signature('java.add', args=(2, 2)), add.s(3, 3)]
                print(chord(header)(app.signature('java.tsum')).get(timeout=30))
                """)).isEqualTo("12");
    }

    @Test
    void aFailedJavaHeaderTaskFailsTheChordsBodyWithChordError() {
        String out = py("""
                from celery import chord
                from proj.celery import app
                from proj.tasks import tsum
                header = [app.signature('java.add', args=(1, 1)), app.signature('java.fail', args=('bad part',))]
                import time
                body = app.AsyncResult(chord(header)(tsum.s()).id)  # the body alone, not its header's errors
                deadline = time.time() + 30
                while body.state != 'FAILURE' and time.time() < deadline:
                    time.sleep(0.1)
                print(body.state, type(body.result).__name__, body.result)
                """);
        assertThat(out).startsWith("FAILURE ChordError Dependency ").contains("raised IllegalStateException",
                "bad part");
    }

    @Test
    void aChordFromJavaMixesHeadersAndRunsItsPythonBody() {
        TaskHandle<Object> body = taskClient.submit(Workflows.chord(Workflows.group(TaskCall.of("java.add", 1, 1),
                TaskCall.of("proj.tasks.add", 2, 2), TaskCall.of("java.add", 3, 3)),
                TaskCall.of("proj.tasks.tsum")));

        assertThat(body.get(Duration.ofSeconds(30))).isEqualTo(12);
    }

    @Test
    void aGroupFromJavaReturnsEveryResultInOrder() {
        var group = taskClient.submit(Workflows.group(TaskCall.of("java.add", 1, 1),
                TaskCall.of("proj.tasks.add", 2, 2)));

        assertThat(group.get(Duration.ofSeconds(30))).isEqualTo(List.of(2, 4));
    }
}
