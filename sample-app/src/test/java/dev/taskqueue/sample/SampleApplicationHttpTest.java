package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

/** The sample app over HTTP, on a real Redis: place an order, watch its tasks finish, look at the actuator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationHttpTest {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", SharedRedis::port);
    }

    @LocalServerPort
    int port;

    RestClient http;

    @BeforeEach
    void client() {
        http = RestClient.create("http://127.0.0.1:" + port);
    }

    @Test
    @SuppressWarnings("unchecked")
    void anOrderSendsAReceiptAndMakesAThumbnail() {
        ResponseEntity<Map<String, Object>> placed = http.post().uri("/orders")
                .body(Map.of("email", "ada@example.com", "items", List.of("lamp"), "imageId", "img-42"))
                .retrieve().toEntity(JSON);
        assertThat(placed.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        String orderId = (String) placed.getBody().get("id");
        assertThat(placed.getBody().get("receiptTask")).isEqualTo(orderId + "-receipt");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Object> order = http.get().uri("/orders/{id}", orderId).retrieve().body(JSON);
            Map<String, Object> receipt = (Map<String, Object>) order.get("receipt");
            Map<String, Object> thumbnail = (Map<String, Object>) order.get("thumbnail");
            assertThat(receipt.get("state")).isEqualTo("SUCCESS");
            assertThat(((Map<String, Object>) receipt.get("result")).get("email")).isEqualTo("ada@example.com");
            assertThat(thumbnail.get("state")).isEqualTo("SUCCESS");
            assertThat(((Map<String, Object>) thumbnail.get("result")).get("url")).asString()
                    .endsWith("img-42-200.webp");
        });
    }

    @Test
    void aCallerCanWaitForAResult() {
        Map<String, Object> thumbnail = http.get().uri("/thumbnails/img-7/64").retrieve().body(JSON);

        assertThat(thumbnail).containsEntry("width", 64).containsEntry("imageId", "img-7");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedTaskShowsItsError() {
        Map<String, Object> accepted = http.post().uri("/thumbnails").body(Map.of("imageId", "img-1", "width", -5))
                .retrieve().body(JSON);
        String taskId = (String) accepted.get("taskId");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Object> task = http.get().uri("/tasks/{id}", taskId).retrieve().body(JSON);
            assertThat(task.get("state")).isEqualTo("FAILURE");
            assertThat((String) task.get("error")).contains("width must be between 1 and 4096");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theActuatorShowsQueuesWorkersAndHealth() {
        http.get().uri("/thumbnails/img-9/32").retrieve().body(JSON);

        Map<String, Object> taskqueue = http.get().uri("/actuator/taskqueue").retrieve().body(JSON);
        List<Map<String, Object>> queues = (List<Map<String, Object>>) taskqueue.get("queues");
        assertThat(queues).extracting(q -> q.get("name")).contains("images", "emails", "default");
        List<Map<String, Object>> workers = (List<Map<String, Object>>) taskqueue.get("workers");
        assertThat(workers).isNotEmpty();
        assertThat(workers.get(0)).containsKeys("id", "host", "state", "lastHeartbeat", "active", "processed",
                "failed");

        Map<String, Object> health = http.get().uri("/actuator/health").retrieve().body(JSON);
        Map<String, Object> components = (Map<String, Object>) health.get("components");
        assertThat(((Map<String, Object>) components.get("taskqueue")).get("status")).isEqualTo("UP");

        Map<String, Object> completed = http.get().uri("/actuator/metrics/taskqueue.tasks.completed").retrieve()
                .body(JSON);
        assertThat(completed.get("name")).isEqualTo("taskqueue.tasks.completed");
    }
}
