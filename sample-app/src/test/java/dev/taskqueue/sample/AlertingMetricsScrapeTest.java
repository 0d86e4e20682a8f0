package dev.taskqueue.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.taskqueue.Retry;
import dev.taskqueue.Task;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * Every metric the shipped alert rules and Grafana dashboard read is in a real Prometheus scrape of the sample app,
 * once it has done what makes each meter exist: tasks that succeed, one that fails into the dead letters, one that is
 * retried. A rule or panel reading a misspelt or renamed metric would never fire or show anything, silently.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTaskQueue
class AlertingMetricsScrapeTest {

    /** A task that fails its first attempt, so that the retry counter exists (the sample's tasks never retry). */
    @TestConfiguration
    static class FlakyTasks {

        @Bean
        Flaky flaky() {
            return new Flaky();
        }
    }

    static class Flaky {

        @Task(name = "alerting.flaky", retry = @Retry(maxRetries = 1, delay = "10ms"))
        public String once() {
            if (TaskContext.current().attempt() == 1) {
                throw new IllegalStateException("the first attempt fails, as a flaky dependency would");
            }
            return "done";
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    TaskClient tasks;

    @Test
    void everyMetricTheRulesAndTheDashboardReadIsScraped() throws Exception {
        RestClient http = RestClient.create("http://127.0.0.1:" + port);
        Set<String> read = new TreeSet<>();
        AlertingFiles.ruleExpressions().forEach(expr -> read.addAll(AlertingFiles.namesIn(expr)));
        AlertingFiles.dashboardExpressions().forEach(expr -> read.addAll(AlertingFiles.namesIn(expr)));
        read.removeAll(AlertingFiles.recordedNames());
        assertThat(read).as("the names found in the rules and the dashboard").contains("taskqueue_queue_depth",
                "taskqueue_tasks_failed_total", "taskqueue_execute_seconds_bucket",
                "taskqueue_schedule_due_tick_timestamp_seconds").allMatch(name -> !name.contains(":"));

        http.get().uri("/thumbnails/img-3/48").retrieve().body(Map.class); // succeeds
        http.post().uri("/thumbnails").body(Map.of("imageId", "img-4", "width", -1)).retrieve().toBodilessEntity();
        assertThat(tasks.submit("alerting.flaky").get(Duration.ofSeconds(20))).isEqualTo("done");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> missing = new TreeSet<>(read);
            missing.removeAll(names(http.get().uri("/actuator/prometheus").retrieve().body(String.class)));
            assertThat(missing).as("read by the rules or the dashboard, absent from the scrape").isEmpty();
        });
    }

    /** The names of a scrape's samples ({@code name{labels} value} or {@code name value}), comments left out. */
    private static Set<String> names(String scrape) {
        return scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }
}
