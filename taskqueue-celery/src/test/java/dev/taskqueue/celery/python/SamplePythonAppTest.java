package dev.taskqueue.celery.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The sample's Python app ({@code sample-app/python/tasks.py}) imports, its {@code tasks.add} adds, and it routes the
 * Java sample's tasks to the Java queue. No worker and no Redis: the task runs in the script itself.
 */
class SamplePythonAppTest {

    /** Relative to this module, where Maven runs its tests. */
    private static final Path SAMPLE = Path.of("../sample-app/python");

    @Test
    void theSampleAppImportsAndItsTaskAdds() {
        PythonCelery celery = PythonCelery.require();
        assertThat(SAMPLE.resolve("tasks.py")).exists();
        assertThat(Files.isExecutable(SAMPLE.resolve("run-worker.sh"))).as("run-worker.sh is executable").isTrue();
        String script = """
                from tasks import add, app
                print(add.name, add(2, 3), app.amqp.router.route({}, 'sample.add')['queue'].name)
                """;
        // never used: nothing connects to Redis, but the URL must not be a real server's either
        String printed = PythonCelery.ok(celery.runIn(SAMPLE, Map.of("REDIS_URL", "redis://127.0.0.1:1/0"), script,
                Duration.ofSeconds(30)), script);
        assertThat(printed).isEqualTo("tasks.add 5 java");
    }
}
