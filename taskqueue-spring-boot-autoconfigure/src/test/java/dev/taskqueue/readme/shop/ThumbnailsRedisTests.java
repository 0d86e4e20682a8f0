package dev.taskqueue.readme.shop;

// tag::redis-test[]
import java.time.Duration;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.embedded.RedisServer;
import redis.embedded.ports.EphemeralPortProvider;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest
class ThumbnailsRedisTests {

    static final int REDIS_PORT = new EphemeralPortProvider().next();
    static final RedisServer redis = RedisServer.builder().port(REDIS_PORT).build();   // binds 127.0.0.1

    @BeforeAll
    static void startRedis() {
        redis.start();                                   // it stops when the JVM exits
    }

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", () -> REDIS_PORT);
    }

    @Autowired
    TaskClient taskClient;

    @Test
    void aWorkerMakesTheThumbnail() {
        TaskHandle<Thumbnail> handle = taskClient.submit(Thumbnails::make, "img-42", 200);

        assertThat(handle.get(Duration.ofSeconds(10))).isEqualTo(new Thumbnail("img-42", 200));
        assertThat(taskClient.handle(handle.id(), Thumbnail.class).state()).isEqualTo(TaskState.SUCCESS);
    }
}
// end::redis-test[]
