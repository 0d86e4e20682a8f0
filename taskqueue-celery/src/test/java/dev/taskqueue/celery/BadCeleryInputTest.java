package dev.taskqueue.celery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import dev.taskqueue.TaskClient;
import dev.taskqueue.celery.app.CeleryTestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages a Java worker must not run, written into its Celery queue as a careless or hostile sender would: each is
 * refused without being decoded, kept in the dead letters with a reason that says what to change, failed when it has
 * an id, and the worker carries on with the next message.
 */
@SpringBootTest(classes = CeleryTestApplication.class, properties = {
        "taskqueue.celery.queues=java", "taskqueue.celery.worker.queues=java",
        "taskqueue.celery.worker.shutdown-timeout=2s" })
class BadCeleryInputTest {

    private static final int DATABASE = 12;

    private static CeleryRedisSupport redis;

    @Autowired
    TaskClient taskClient;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CeleryRedisSupport.redisProperties(registry, DATABASE);
    }

    @BeforeAll
    static void connect() {
        redis = new CeleryRedisSupport(DATABASE);
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    @BeforeEach
    void emptyDeadLetters() {
        redis.redis().del(CeleryEndings.DEAD_LETTERS);
    }

    private static String envelope(String contentType, String headers, String body) {
        return "{\"body\": \"" + Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))
                + "\", \"content-encoding\": \"utf-8\", \"content-type\": \"" + contentType + "\", \"headers\": "
                + headers + ", \"properties\": {\"correlation_id\": \"x\", \"delivery_mode\": 2, \"delivery_info\": "
                + "{\"exchange\": \"\", \"routing_key\": \"java\"}, \"priority\": 0, \"body_encoding\": \"base64\", "
                + "\"delivery_tag\": \"" + java.util.UUID.randomUUID() + "\"}}";
    }

    /** Pushes a message, then waits until it is refused with a reason containing {@code expected}, and no longer held. */
    private void refused(String message, String... expected) {
        redis.redis().lpush("java", message);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> letters = redis.redis().lrange(CeleryEndings.DEAD_LETTERS, 0, -1);
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0)).contains(expected);
            assertThat(redis.redis().hlen("unacked")).isZero();
        });
        assertThat(taskClient.submit(TaskCallOf.add(20, 22)).get(Duration.ofSeconds(10)))
                .as("the worker carries on").isEqualTo(42);
    }

    @Test
    void aPickleIsNeverDecodedAndItsSenderLearnsWhy() {
        refused(envelope("application/x-python-serialize", "{\"lang\": \"py\", \"task\": \"java.add\", \"id\": \"p1\"}",
                "\u0080\u0004garbage"), "application/x-python-serialize", "task_serializer='json'");
        assertThat(redis.redis().get("celery-task-meta-p1")).contains("\"FAILURE\"", "ContentDisallowed");
    }

    @Test
    void aProtocol1MessageIsRefused() {
        refused(envelope("application/json", "{}", "{\"task\": \"java.add\", \"id\": \"v1\", \"args\": [1, 2]}"),
                "protocol 1");
    }

    @Test
    void aBodyOfTwoItemsIsRefusedRatherThanRun() {
        refused(envelope("application/json", "{\"task\": \"java.add\", \"id\": \"b2\"}", "[[1, 2], {}]"),
                "exactly these 3 items");
        assertThat(redis.redis().get("celery-task-meta-b2")).contains("\"FAILURE\"");
    }

    @Test
    void somethingThatIsNotAnEnvelopeIsRefused() {
        refused("this is not json", "not JSON");
    }

    @Test
    void anUnknownTypeMarkerIsRefused() {
        refused(envelope("application/json", "{\"task\": \"java.add\", \"id\": \"m1\"}",
                "[[{\"__type__\": \"frozenset\", \"__value__\": [1]}, 2], {}, {}]"), "unknown type 'frozenset'");
    }

    @Test
    void argumentsOfTheWrongTypeFailTheTaskNamingTheParameter() {
        redis.redis().lpush("java", envelope("application/json", "{\"task\": \"java.add\", \"id\": \"t1\"}",
                "[[\"one\", 2], {}, {}]"));
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.redis().get("celery-task-meta-t1") != null);
        String meta = redis.redis().get("celery-task-meta-t1");
        assertThat(meta).contains("\"FAILURE\"", "InvalidArgumentsException",
                "argument 'x' of task 'java.add' must be int, got \\\"one\\\"");
    }

    /** A call of java.add, routed to the Celery queue by its @Task. */
    private static final class TaskCallOf {

        static dev.taskqueue.TaskCall<Object> add(int x, int y) {
            return dev.taskqueue.TaskCall.of("java.add", x, y);
        }
    }
}
