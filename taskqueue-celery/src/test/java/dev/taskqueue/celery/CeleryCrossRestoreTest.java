package dev.taskqueue.celery;

import java.time.Duration;

import dev.taskqueue.celery.python.CeleryWorkerProcess;
import dev.taskqueue.celery.python.WorkerOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Python's restore and Java's agree on kombu's bookkeeping: what a {@code kill -9}ed Java worker held, a Python worker
 * restores, and the other way round; and a countdown is never run twice however short the visibility timeout.
 * Workers run in processes of their own, and are killed for real. (A class of its own beside
 * {@link CeleryDeliveryTest}, so that the two run in parallel forks.)
 */
class CeleryCrossRestoreTest extends KilledWorkerSupport {

    @Override
    int database() {
        return 14;
    }

    /** Waits for the results of the tasks {@code ids}; returns them sorted, as Python prints a list. */
    private String results(String ids, int timeoutSeconds) {
        return python.runOk(redis.url(), """
                from proj.celery import app
                print(sorted(set(str(app.AsyncResult(i).get(timeout=%d)) for i in '%s'.split())))
                """.formatted(timeoutSeconds, ids), Duration.ofSeconds(timeoutSeconds + 30));
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
