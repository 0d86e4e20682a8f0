package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.taskqueue.celery.python.PythonCelery;
import dev.taskqueue.celery.python.PythonWorkerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/**
 * The sample with the profile {@code celery}, end to end with a real Python Celery: the sample's own Python app
 * ({@code sample-app/python/tasks.py}) runs in a Celery worker on the queue {@code celery}, and
 * <ol>
 * <li>{@code POST /celery/add?a=2&b=3} has it add (Java to Python) and answers 5;</li>
 * <li>{@code python/ask-java.py}, as the README runs it, gets 42 from the Java worker's {@code sample.add}
 * (Python to Java).</li>
 * </ol>
 * Both sides on the test Redis, in a database of their own (Celery's keys have no prefix; the Celery module's tests
 * take 7 to 14), emptied first. Skipped loudly without Python Celery, except in CI, where that fails.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "taskqueue.worker.keep-alive=false", "taskqueue.celery.worker.shutdown-timeout=2s" })
@ActiveProfiles("celery")
class PythonInteropTest {

    /** The sample's Python side, relative to this module, where Maven runs its tests. */
    private static final Path PYTHON_APP = Path.of("python");

    /** The worker as run-worker.sh runs it: the app {@code tasks} of sample-app/python, on the queue {@code celery}. */
    @RegisterExtension
    static final PythonWorkerExtension python = PythonWorkerExtension.on(15, (options, url) -> options
            .withApp(PYTHON_APP, "tasks").withQueues("celery").withEnv("REDIS_URL", url));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        python.redisProperties(registry);
    }

    @Test
    void postCeleryAddHasThePythonWorkerAdd() {
        String answer = RestClient.create("http://127.0.0.1:" + port).post().uri("/celery/add?a=2&b=3").retrieve()
                .body(String.class);

        assertThat(answer).isEqualTo("5");
        assertThat(python.worker().log()).contains("Task tasks.add[").contains("succeeded");
    }

    @Test
    void askJavaGetsFortyTwoFromTheJavaWorker() throws IOException {
        String script = Files.readString(PYTHON_APP.resolve("ask-java.py"));

        String printed = PythonCelery.ok(python.python().runIn(PYTHON_APP, Map.of("REDIS_URL", python.url()), script,
                Duration.ofSeconds(60)), script);

        assertThat(printed).isEqualTo("42");
    }
}
