package dev.taskqueue.celery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.taskqueue.BrokerUnavailableException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.celery.app.CeleryTestApplication;
import dev.taskqueue.redis.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Redis goes away while a Java worker runs Celery tasks, and comes back (with its append-only file): a submit during
 * the outage fails at once saying what to check, and the tasks that ended meanwhile are recorded once Redis is back,
 * each run once, nothing lost.
 */
@DirtiesContext // its Redis stops with the class: the context must not outlive it in the cache
@SpringBootTest(classes = { CeleryTestApplication.class, CeleryRedisOutageTest.OutageRedis.class }, properties = {
        "taskqueue.celery.queues=java", "taskqueue.celery.worker.queues=java", "taskqueue.worker.enabled=false",
        "taskqueue.celery.worker.shutdown-timeout=2s", "spring.data.redis.timeout=3s" })
class CeleryRedisOutageTest {

    private static final Path DATA = data();

    private static final LocalRedisServer REDIS = LocalRedisServer.start(List.of("--appendonly", "yes",
            "--appendfsync", "always", "--dir", DATA.toString()));

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", REDIS::port);
    }

    private static Path data() {
        try {
            return Files.createTempDirectory("celery-outage-");
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The server stops with the context, after its worker: a worker stopping on a dead Redis would wait for it. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OutageRedis {

        @Bean(destroyMethod = "close")
        LocalRedisServer outageRedis() {
            return REDIS;
        }
    }

    @Test
    void tasksThatEndDuringAnOutageAreRecordedWhenRedisIsBack() {
        List<TaskHandle<Object>> running = List.of(taskClient.submit("java.slow", 1500),
                taskClient.submit("java.slow", 1500), taskClient.submit("java.slow", 1500));
        RedisClient client = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().hlen("unacked") == 3);
        }

        REDIS.stop(); // SIGTERM: the append-only file keeps everything
        assertThatThrownBy(() -> taskClient.submit(TaskCall.of("java.add", 1, 2)))
                .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("Check that Redis runs");
        sleep(Duration.ofSeconds(3)); // the tasks end meanwhile, and cannot be recorded
        REDIS.restart();

        for (TaskHandle<Object> handle : running) {
            assertThat(handle.get(Duration.ofSeconds(20))).isEqualTo(1500);
        }
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().hlen("unacked") == 0);
            assertThat(redis.sync().llen("java")).as("nothing restored to run twice").isZero();
        }
        finally {
            client.shutdown();
        }
        assertThat(taskClient.submit(TaskCall.of("java.add", 1, 2)).get(Duration.ofSeconds(10))).isEqualTo(3);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
