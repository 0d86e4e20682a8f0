package dev.taskqueue.celery;

import java.time.Duration;

import dev.taskqueue.celery.python.CeleryWorkerProcess;
import dev.taskqueue.celery.python.PythonCelery;
import dev.taskqueue.celery.python.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No Celery message is lost when workers are killed: the deliveries a {@code kill -9}ed Java worker held come back
 * within seconds, Python's restore and Java's agree on kombu's bookkeeping, and a countdown is never run twice
 * however short the visibility timeout. Workers run in processes of their own, and are killed for real.
 */
class CeleryDeliveryTest {

    private static final int DATABASE = 13;

    private PythonCelery python;

    private CeleryRedisSupport redis;

    @BeforeEach
    void connect() {
        python = PythonCelery.require();
        redis = new CeleryRedisSupport(DATABASE);
    }

    @AfterEach
    void close() {
        redis.close();
    }

    /** Sends {@code count} calls of {@code task} from Python; returns the script that waits for their results. */
    private String send(String task, String args, int count) {
        return python.runOk(redis.url(), """
                from proj.celery import app
                ids = [app.send_task('%s', args=%s, queue='shared').id for _ in range(%d)]
                print(' '.join(ids))
                """.formatted(task, args, count), Duration.ofSeconds(30));
    }

    private String results(String ids, int timeoutSeconds) {
        return python.runOk(redis.url(), """
                from proj.celery import app
                print(sorted(set(str(app.AsyncResult(i).get(timeout=%d)) for i in '%s'.split())))
                """.formatted(timeoutSeconds, ids), Duration.ofSeconds(timeoutSeconds + 30));
    }

    @Test
    void whatAKilledJavaWorkerHeldComesBackWithinSecondsAndRuns() throws Exception {
        String ids;
        try (JavaWorkerProcess victim = JavaWorkerProcess.start(redis, "java-victim@localhost", "shared", 4,
                "--taskqueue.celery.worker.liveness=2s")) {
            ids = send("shared.slow_add", "[1, 2, 5]", 4);
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.redis().hlen("unacked") == 4);
            victim.kill9();
        }
        long killed = System.nanoTime();
        assertThat(redis.redis().hlen("unacked")).as("the killed worker's deliveries stay recorded").isEqualTo(4);
        python.runOk(redis.url(), """
                from proj.celery import app
                app.send_task('shared.slow_add', args=[1, 2, 0], queue='shared')
                """, Duration.ofSeconds(20));
        try (JavaWorkerProcess survivor = JavaWorkerProcess.start(redis, "java-survivor@localhost", "shared", 8,
                "--taskqueue.celery.worker.liveness=2s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.redis().hlen("unacked") == 0
                    && redis.redis().llen("shared") == 0);
            Duration back = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(back).as("restored long before kombu's visibility timeout").isLessThan(Duration.ofSeconds(30));
            assertThat(survivor.log()).contains("Restored 4 Celery message(s) held by Java workers");
        }
    }

    @Test
    void aWorkerRestartedUnderItsNodeNameRestoresWhatItsKilledRunHeld() throws Exception {
        try (JavaWorkerProcess victim = JavaWorkerProcess.start(redis, "java-same@localhost", "shared", 3,
                "--taskqueue.celery.worker.liveness=2s")) {
            send("shared.slow_add", "[1, 1, 5]", 3);
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.redis().hlen("unacked") == 3);
            victim.kill9();
        }
        // Back at once under the same name: its liveness never lapses, so only its own beat can bring them back.
        try (JavaWorkerProcess again = JavaWorkerProcess.start(redis, "java-same@localhost", "shared", 8,
                "--taskqueue.celery.worker.liveness=2s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.redis().hlen("unacked") == 0
                    && redis.redis().llen("shared") == 0);
            assertThat(again.log()).contains("Restored 3 Celery message(s) this worker held but no longer works on");
        }
    }

    @Test
    void pythonRestoresWhatAKilledJavaWorkerHeld() throws Exception {
        String ids;
        try (JavaWorkerProcess victim = JavaWorkerProcess.start(redis, "java-victim2@localhost", "shared", 3)) {
            ids = send("shared.slow_add", "[2, 3, 3]", 3);
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.redis().hlen("unacked") == 3);
            victim.kill9();
        }
        Thread.sleep(1500); // older than the Python worker's visibility timeout of 1 s
        assertThat(redis.redis().llen("shared")).as("only in unacked, where the Java worker recorded them").isZero();
        assertThat(redis.redis().hlen("unacked")).isEqualTo(3);
        try (CeleryWorkerProcess pythonWorker = python.startWorker(redis.url(), WorkerOptions.defaults()
                .withQueues("shared").withEnv("VISIBILITY_TIMEOUT", "1"))) {
            assertThat(results(ids, 30)).as("kombu's restore read the Java worker's bookkeeping").isEqualTo("['5']");
        }
    }

    @Test
    void javaRestoresWhatAKilledPythonWorkerHeld() throws Exception {
        String ids;
        try (CeleryWorkerProcess pythonWorker = python.startWorker(redis.url(), WorkerOptions.defaults()
                .withQueues("shared").withPrefork(1))) {
            ids = send("shared.slow_add", "[3, 4, 3]", 6);
            // one runs in the pool's process (acknowledged when it started, Celery's default); the main process
            // prefetches up to 4 more, which wait in unacked
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.redis().hlen("unacked") >= 3);
            pythonWorker.kill9();
        }
        long held = redis.redis().hlen("unacked");
        try (JavaWorkerProcess java = JavaWorkerProcess.start(redis, "java-rescuer@localhost", "shared", 8,
                "--taskqueue.celery.worker.visibility-timeout=2s")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> redis.redis().hlen("unacked") == 0
                    && redis.redis().llen("shared") == 0);
            assertThat(java.log()).contains("Restored " + held + " Celery message(s) unacknowledged");
        }
    }

    @Test
    void aCountdownLongerThanTheVisibilityTimeoutRunsOnce() throws Exception {
        try (JavaWorkerProcess java = JavaWorkerProcess.start(redis, "java-eta@localhost", "java", 4,
                "--taskqueue.celery.worker.visibility-timeout=1s")) {
            String id = python.runOk(redis.url(), """
                    from proj.celery import app
                    print(app.send_task('java.record', args=['once', 'eta'], countdown=4).id)
                    """, Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(3)).until(() -> redis.redis().zcard("taskqueue-celery:parked") == 1);
            assertThat(redis.redis().hlen("unacked")).as("not held while it waits").isZero();
            assertThat(results(id, 20)).isEqualTo("['once']");
            Thread.sleep(3000); // a second run would come now
            assertThat(redis.redis().lrange("java-recorded:eta", 0, -1)).containsExactly("\"once\"");
        }
    }
}
