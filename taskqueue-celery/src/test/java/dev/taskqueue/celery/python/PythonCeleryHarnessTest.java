package dev.taskqueue.celery.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import dev.taskqueue.test.TestRedis;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The harness against a real Python Celery and a real Redis: a Python client's tasks run on a worker it started, a
 * failure reaches the client as one, and a closed worker leaves no process behind.
 */
class PythonCeleryHarnessTest {

    /** A database of its own on the shared test Redis, as Celery's keys (celery, celery-task-meta-*) have no prefix. */
    private static final int DB = 7;

    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);

    private static PythonCelery celery;

    private static String redisUrl;

    private static CeleryWorkerProcess worker;

    @BeforeAll
    static void startWorker() {
        celery = PythonCelery.require();
        try (StatefulRedisConnection<String, String> connection = TestRedis.client().connect()) {
            connection.sync().select(DB);
            connection.sync().flushdb();
        }
        redisUrl = "redis://" + TestRedis.host() + ":" + TestRedis.port() + "/" + DB;
        worker = celery.startWorker(redisUrl);
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aPythonClientGetsTheResultOfATaskTheWorkerRan() {
        assertThat(celery.version()).startsWith("5.");
        String printed = celery.runOk(redisUrl, """
                from proj.tasks import add
                print(add.delay(2, 3).get(timeout=20))
                """, SCRIPT_TIMEOUT);
        assertThat(printed).isEqualTo("5");
        assertThat(worker.log()).contains("proj.tasks.add").contains("succeeded");
    }

    @Test
    void aFailingTaskReachesTheClientAsAFailure() {
        String printed = celery.runOk(redisUrl, """
                from proj.tasks import fail
                result = fail.delay('boom')
                try:
                    result.get(timeout=20)
                    print('no exception')
                except ValueError as error:
                    print(result.state, result.failed(), error.args)
                """, SCRIPT_TIMEOUT);
        assertThat(printed).isEqualTo("FAILURE True ('boom', 42)");
    }

    @Test
    void aFailingScriptShowsItsTraceback() {
        PythonResult result = celery.run(redisUrl, "raise SystemExit('stopped here')", SCRIPT_TIMEOUT);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("stopped here");
    }

    @Test
    void aScriptThatOverrunsItsTimeoutIsKilledWithItsFirstLineNamed() {
        assertThatThrownBy(() -> celery.run(redisUrl, "import time  # sleeps\ntime.sleep(30)", Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("`import time  # sleeps`")
                .hasMessageContaining("did not finish within PT1S");
    }

    @Test
    void aWorkerThatCannotStartFailsWithItsLog() {
        assertThatThrownBy(() -> celery.startWorker("nosuchtransport://127.0.0.1/0",
                WorkerOptions.defaults().withStartTimeout(Duration.ofSeconds(20))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited with")
                .hasMessageContaining("The last 60 lines of its log").hasMessageContaining("ValueError: Redis URL must specify");
    }

    @Test
    void aClosedWorkerLeavesNoProcessBehind() {
        CeleryWorkerProcess prefork = celery.startWorker(redisUrl,
                WorkerOptions.defaults().withQueues("harness-close").withPrefork(2));
        List<ProcessHandle> children = ProcessHandle.of(prefork.pid()).orElseThrow().descendants().toList();
        assertThat(children).as("the prefork pool's children").hasSizeGreaterThanOrEqualTo(2);

        prefork.close();

        assertThat(ProcessHandle.of(prefork.pid()).filter(ProcessHandle::isAlive)).as("the worker").isEmpty();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
    }
}
