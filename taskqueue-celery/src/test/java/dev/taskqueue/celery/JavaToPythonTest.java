package dev.taskqueue.celery;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.celery.app.CeleryTestApplication;
import dev.taskqueue.celery.python.CeleryWorkerProcess;
import dev.taskqueue.celery.python.PythonCelery;
import dev.taskqueue.test.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Java submits to Celery queues; an unmodified Python Celery worker runs the tasks; Java follows their results. */
@SpringBootTest(classes = CeleryTestApplication.class)
class JavaToPythonTest {

    private static final int DATABASE = 9;

    private static CeleryRedisSupport redis;

    private static CeleryWorkerProcess python;

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", TestRedis::host);
        registry.add("spring.data.redis.port", TestRedis::port);
        registry.add("spring.data.redis.database", () -> DATABASE);
        registry.add("taskqueue.celery.queues", () -> "celery,java");
        registry.add("taskqueue.celery.routes.[proj.*]", () -> "celery");
    }

    @BeforeAll
    static void startPython() {
        PythonCelery celery = PythonCelery.require();
        redis = new CeleryRedisSupport(DATABASE);
        python = celery.startWorker(redis.url());
    }

    @AfterAll
    static void stopPython() {
        if (python != null) {
            python.close();
        }
        if (redis != null) {
            redis.close();
        }
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
    void keywordArgumentsReachPython() {
        TaskHandle<Object> handle = taskClient.submit("proj.tasks.echo", 1, Kwargs.of("name", "x"));

        assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(java.util.Map.of("args", List.of(1), "kwargs",
                java.util.Map.of("name", "x")));
    }
}
