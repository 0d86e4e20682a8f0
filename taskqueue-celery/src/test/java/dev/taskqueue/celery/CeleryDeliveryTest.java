package dev.taskqueue.celery;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No Celery message is lost when a Java worker is killed: the deliveries a {@code kill -9}ed Java worker held come
 * back within seconds, also when it comes back at once under its node name. Workers run in processes of their own,
 * and are killed for real. Python's and Java's restores of each other's: {@link CeleryCrossRestoreTest}.
 */
class CeleryDeliveryTest extends KilledWorkerSupport {

    @Override
    int database() {
        return 13;
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
}
