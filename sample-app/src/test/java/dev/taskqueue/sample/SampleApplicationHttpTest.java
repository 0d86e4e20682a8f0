package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.taskqueue.celery.CeleryInterop;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

/** The sample app over HTTP, on a real Redis: place an order, watch its tasks finish, look at the actuator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTaskQueue
class SampleApplicationHttpTest {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
    };

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
    void aGalleryIsPublishedOnceEveryThumbnailIsMade() {
        String taskId = (String) http.post().uri("/galleries")
                .body(Map.of("title", "Lamps", "imageIds", List.of("img-1", "img-2", "img-3"), "width", 120))
                .retrieve().body(JSON).get("taskId");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Object> task = http.get().uri("/tasks/{id}", taskId).retrieve().body(JSON);
            assertThat(task.get("state")).isEqualTo("SUCCESS");
            Map<String, Object> page = (Map<String, Object>) task.get("result");
            assertThat(page.get("title")).isEqualTo("Lamps");
            assertThat((List<Map<String, Object>>) page.get("thumbnails")).extracting(t -> t.get("imageId"))
                    .containsExactly("img-1", "img-2", "img-3");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theActuatorListsThePeriodicReport() {
        List<Map<String, Object>> schedules = http.get().uri("/actuator/taskqueue/schedules").retrieve()
                .body(new ParameterizedTypeReference<>() {
                });

        assertThat(schedules).singleElement().satisfies(schedule -> {
            assertThat(schedule).containsEntry("task", "reports.orders").containsEntry("enabled", true)
                    .containsEntry("trigger", "cron '0 */5 * * * *' in UTC");
            assertThat(schedule.get("nextRunAt")).asString().matches(".*:[0-5][05]:00Z");
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

        Map<String, Object> succeeded = http.get().uri("/actuator/metrics/taskqueue.tasks.succeeded").retrieve()
                .body(JSON);
        assertThat(succeeded.get("name")).isEqualTo("taskqueue.tasks.succeeded");
        List<Map<String, Object>> measurements = (List<Map<String, Object>>) succeeded.get("measurements");
        assertThat(measurements).filteredOn(m -> "COUNT".equals(m.get("statistic"))).singleElement()
                .satisfies(count -> assertThat(((Number) count.get("value")).doubleValue()).isGreaterThanOrEqualTo(1));

        Map<String, Object> readiness = http.get().uri("/actuator/health/readiness").retrieve().body(JSON);
        assertThat(readiness.get("status")).isEqualTo("UP");
        assertThat((Map<String, Object>) readiness.get("components")).containsKey("taskqueue");
    }

    @Test
    @SuppressWarnings("unchecked")
    void operatorsPauseAndResumeAQueueOverHttp() {
        Map<String, Object> paused = http.post().uri("/actuator/taskqueue/queues/emails/pause").retrieve()
                .body(JSON);
        // An order's receipt goes to the paused "emails" queue: it waits there.
        String orderId = (String) http.post().uri("/orders")
                .body(Map.of("email", "bob@example.com", "items", List.of("desk"), "imageId", "img-6"))
                .retrieve().body(JSON).get("id");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> !"SUCCESS".equals(receiptState(orderId)));
        Map<String, Object> resumed = http.post().uri("/actuator/taskqueue/queues/emails/resume").retrieve()
                .body(JSON);

        assertThat(paused).containsEntry("name", "emails").containsEntry("paused", true);
        assertThat(resumed).containsEntry("paused", false);
        await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(receiptState(orderId)));
        // The event stream the sample turns on shows a task submitted after the resume, once it ran.
        String taskId = (String) http.post().uri("/thumbnails").body(Map.of("imageId", "img-5", "width", 16))
                .retrieve().body(JSON).get("taskId");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(http.get()
                .uri("/actuator/taskqueue/events?count=50").retrieve()
                .body(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                })).filteredOn(event -> taskId.equals(event.get("taskId"))).extracting(event -> event.get("type"))
                .contains("SENT", "SUCCEEDED"));
    }

    /** The sample opens the dashboard to this machine (loopback) without a login, for development. */
    @Test
    void theDashboardIsOpenToThisMachine() {
        ResponseEntity<String> shell = http.get().uri("/taskqueue/").retrieve().toEntity(String.class);
        assertThat(shell.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(shell.getHeaders().getFirst("Content-Security-Policy")).contains("script-src 'self'");
        assertThat(shell.getBody()).contains("<meta name=\"tq-user\" content=\"local\">",
                "<meta name=\"tq-can\" content=\"read,operate,admin\">");

        List<Map<String, Object>> queues = http.get().uri("/taskqueue/api/queues").retrieve()
                .body(new ParameterizedTypeReference<>() {
                });
        assertThat(queues).extracting(queue -> queue.get("name")).contains("images", "emails", "default");

        // An action carries the token the page hands out: a page of another site cannot read it, nor act.
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("tq-csrf-token\" content=\"([^\"]+)\"")
                .matcher(shell.getBody());
        assertThat(token.find()).isTrue();
        int withoutToken = http.post().uri("/taskqueue/api/queues/emails/pause")
                .exchange((request, response) -> response.getStatusCode().value());
        assertThat(withoutToken).isEqualTo(403);
        assertThat(http.post().uri("/taskqueue/api/queues/emails/pause").header("X-TASKQUEUE-CSRF", token.group(1))
                .retrieve().body(JSON)).containsEntry("action", "TASKQUEUE_QUEUE_PAUSED").containsEntry("count", 1);
        http.post().uri("/taskqueue/api/queues/emails/resume").header("X-TASKQUEUE-CSRF", token.group(1)).retrieve()
                .toBodilessEntity();
    }

    /** Without the profile {@code celery}, the sample has no Celery part: no protocol, no endpoint, no sample.add. */
    @Test
    void theCeleryPartIsOffWithoutItsProfile(@Autowired ApplicationContext context) {
        assertThat(context.getBeanNamesForType(CeleryInterop.class)).isEmpty();
        assertThat(context.getBeanNamesForType(PythonInterop.class)).isEmpty();
        int status = http.post().uri("/celery/add?a=2&b=3")
                .exchange((request, response) -> response.getStatusCode().value());
        assertThat(status).isEqualTo(404);
    }

    @SuppressWarnings("unchecked")
    private Object receiptState(String orderId) {
        Map<String, Object> order = http.get().uri("/orders/{id}", orderId).retrieve().body(JSON);
        return ((Map<String, Object>) order.get("receipt")).get("state");
    }

    /**
     * A Prometheus scrape after tasks ran shows every taskqueue series; each run is timed once (by its observation,
     * with its outcome), in the bounded buckets of the sample's settings.
     */
    @Test
    void prometheusScrapesTheTaskqueueSeries() {
        http.get().uri("/thumbnails/img-3/48").retrieve().body(JSON);
        String failed = (String) http.post().uri("/thumbnails").body(Map.of("imageId", "img-4", "width", -1))
                .retrieve().body(JSON).get("taskId");
        await().atMost(Duration.ofSeconds(20)).until(() -> "FAILURE".equals(
                http.get().uri("/tasks/{id}", failed).retrieve().body(JSON).get("state")));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String scrape = http.get().uri("/actuator/prometheus").retrieve().body(String.class);
            assertThat(series(scrape, "taskqueue_tasks_submitted_total", "images.thumbnail")).isGreaterThanOrEqualTo(2);
            assertThat(series(scrape, "taskqueue_tasks_started_total", "images.thumbnail")).isGreaterThanOrEqualTo(2);
            assertThat(series(scrape, "taskqueue_tasks_succeeded_total", "images.thumbnail")).isGreaterThanOrEqualTo(1);
            assertThat(series(scrape, "taskqueue_tasks_failed_total", "images.thumbnail")).isGreaterThanOrEqualTo(1);
            assertThat(series(scrape, "taskqueue_tasks_dead_total", "images.thumbnail")).isGreaterThanOrEqualTo(1);
            assertThat(series(scrape, "taskqueue_execute_seconds_count", "images.thumbnail", "success"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(series(scrape, "taskqueue_execute_seconds_count", "images.thumbnail", "failure"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(series(scrape, "taskqueue_task_queue_wait_seconds_count", "images.thumbnail"))
                    .isGreaterThanOrEqualTo(2);
            // One timer of runs, whatever its name, besides Boot's long task timer of the runs in progress.
            assertThat(timers(scrape)).filteredOn(timer -> timer.contains("exec") && !timer.endsWith("_active"))
                    .containsExactly("taskqueue_execute");
            // Bounded buckets: the 6 bounds of the sample's settings and +Inf, per task, queue, outcome and error.
            assertThat(lines(scrape, "taskqueue_execute_seconds_bucket", "images.thumbnail", "success"))
                    .hasSize(7).anyMatch(line -> line.contains("le=\"0.1\""))
                    .anyMatch(line -> line.contains("le=\"+Inf\""));
            assertThat(lines(scrape, "taskqueue_task_queue_wait_seconds_bucket", "images.thumbnail", "")).hasSize(6);
            assertThat(scrape).containsPattern("taskqueue_queue_depth\\{queue=\"images\",state=\"pending\"} ");
            assertThat(scrape).containsPattern("taskqueue_queue_depth\\{queue=\"images\",state=\"dead\"} [1-9]");
            assertThat(scrape).containsPattern("taskqueue_queue_oldest_age_seconds\\{queue=\"images\"} ");
            assertThat(scrape).containsPattern("(?m)^taskqueue_workers [1-9]");
            assertThat(scrape).containsPattern("(?m)^taskqueue_worker_active_tasks ");
            assertThat(scrape).contains("taskqueue_submit_seconds_count", "taskqueue_execute_seconds_count");
        });
    }

    /** The value of a taskqueue series of one task, on any queue, or -1 when it is absent. */
    private static double series(String scrape, String name, String task) {
        return series(scrape, name, task, "");
    }

    /** The value of a taskqueue series of one task and outcome, on any queue, or -1 when it is absent. */
    private static double series(String scrape, String name, String task, String outcome) {
        List<String> found = lines(scrape, name, task, outcome);
        return found.isEmpty() ? -1 : Double.parseDouble(found.get(0).substring(found.get(0).lastIndexOf(' ') + 1));
    }

    /** The lines of a series of one task (and outcome, unless empty). */
    private static List<String> lines(String scrape, String name, String task, String outcome) {
        return scrape.lines().filter(line -> line.startsWith(name + "{"))
                .filter(line -> line.contains("task=\"" + task + "\""))
                .filter(line -> outcome.isEmpty() || line.contains("outcome=\"" + outcome + "\"")).toList();
    }

    /** The names of the timers in a scrape (series with a _seconds_count), without that suffix. */
    private static List<String> timers(String scrape) {
        Matcher matcher = Pattern.compile("(?m)^(taskqueue_\\w+)_seconds_count\\{").matcher(scrape);
        return matcher.results().map(result -> result.group(1)).distinct().toList();
    }
}
