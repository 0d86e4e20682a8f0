package dev.taskqueue.autoconfigure.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.autoconfigure.actuate.ActuatorHttp.Reply;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.readme.security.ActuatorSecurity;
import dev.taskqueue.readme.security.ActuatorUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistrar;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every path of {@code /actuator/taskqueue} over real HTTP, with write access opened as an operator would
 * ({@code management.endpoint.taskqueue.access=unrestricted}) and values shown (hiding them is
 * {@link TaskQueueEndpointValuesWebTests}'s), and the health component in the readiness group.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=taskqueue,health",
        "management.endpoint.taskqueue.access=unrestricted", "management.endpoint.taskqueue.show-values=always",
        "management.endpoint.health.show-components=always",
        "management.endpoint.health.group.readiness.include=readinessState,taskqueue",
        "management.endpoint.health.group.readiness.show-details=always",
        "taskqueue.health.queues.reports.max-lag=1ms",
        "taskqueue.schedules.nightly.task=test.greet", "taskqueue.schedules.nightly.args=Ada",
        "taskqueue.schedules.nightly.cron=0 0 3 * * *", "taskqueue.schedules.nightly.zone=Europe/Paris",
        "taskqueue.key-prefix=endpoint-web-tests" })
@DirtiesContext
class TaskQueueEndpointWebTests {

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @Autowired
    TaskQueueEndpoint endpoint;

    @Autowired
    QueueAdmin admin;

    @Autowired
    ScheduleStore schedules;

    @Autowired
    TaskQueueOperations operations;

    @Autowired
    StringRedisTemplate redis;

    ActuatorHttp http;

    @BeforeEach
    void emptyQueues() {
        http = new ActuatorHttp(port);
        for (String queue : List.of("default", "failing", "reports")) {
            admin.resume(queue);
            admin.purge(queue);
            operations.deleteDeadLetters(queue);
        }
    }

    @Test
    void overviewAndListsAnswerJson() {
        client.submit(TestTasks.Greeter::greet, "Ada").get(WAIT);

        Reply overview = http.get("/actuator/taskqueue");

        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.map()).containsOnlyKeys("broker", "totals", "queues", "workers", "schedules", "catalog");
        assertThat(map(overview.map().get("totals"))).containsKeys("pending", "processedLastMinute",
                "workers");
        assertThat(http.get("/actuator/taskqueue/queues").list()).extracting(queue -> queue.get("name"))
                .contains("default", "failing");
        assertThat(http.get("/actuator/taskqueue/workers").list()).isNotEmpty();
        assertThat(http.get("/actuator/taskqueue/catalog").list()).extracting(task -> task.get("name"))
                .contains("test.greet", "test.fail");
        assertThat(http.get("/actuator/taskqueue/catalog/test.greet").map()).containsEntry("queue", "default")
                .containsKeys("parameters", "policies", "instances", "lastSeen");
        assertThat(http.get("/actuator/taskqueue/tasks").status()).isEqualTo(400);
        assertThat(http.get("/actuator/taskqueue/schedules").list()).extracting(schedule -> schedule.get("name"))
                .containsExactly("nightly");
        assertThat(http.get("/actuator/taskqueue/chords?count=10").list()).isEmpty();
        assertThat(http.get("/actuator/taskqueue/outbox")).satisfies(none -> { // no outbox: no section either
            assertThat(none.status()).isEqualTo(404);
            assertThat(none.message()).contains("no transactional outbox", "taskqueue-outbox");
        });
    }

    @Test
    void oneQueueAndOneTaskAnswerJson() {
        TaskHandle<String> handle = client.submit(TestTasks.Greeter::greet, "Ada");
        handle.get(WAIT);

        Reply queue = http.get("/actuator/taskqueue/queues/{name}", "default");
        Reply task = http.get("/actuator/taskqueue/tasks/{id}", handle.id());

        assertThat(queue.status()).isEqualTo(200);
        assertThat(queue.map()).containsEntry("name", "default").containsEntry("paused", false)
                .containsKeys("pending", "scheduled", "active", "dead", "processedLastMinute");
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.map()).containsEntry("id", handle.id()).containsEntry("state", "SUCCESS")
                .containsEntry("name", "test.greet").containsEntry("result", "Hello Ada")
                .containsEntry("arguments", List.of("Ada")).containsEntry("error", null).containsKey("parentId");
        assertThat(task.map().get("submittedAt")).asString().isNotBlank();
    }

    @Test
    void deadLettersArePagedShownRequeuedAndDeleted() {
        for (int i = 0; i < 3; i++) {
            client.submit(TestTasks.Greeter::fail);
        }
        await().atMost(WAIT).until(() -> endpoint.queue("failing").dead() == 3);

        Reply page = http.get("/actuator/taskqueue/queues/failing/dead-letters?count=2");
        assertThat(page.status()).isEqualTo(200);
        List<Map<String, Object>> letters = list(page.map().get("deadLetters"));
        assertThat(letters).hasSize(2);
        Reply next = http.get("/actuator/taskqueue/queues/failing/dead-letters?count=2&before={next}",
                page.map().get("next"));
        assertThat(list(next.map().get("deadLetters"))).hasSize(1);
        String first = (String) letters.get(0).get("id");
        Reply one = http.get("/actuator/taskqueue/queues/failing/dead-letters/{id}", first);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.map()).containsEntry("errorMessage", "expected failure").containsKey("stackTrace");

        endpoint.pause("failing"); // requeued tasks wait where the test sees them
        assertThat(http.post("/actuator/taskqueue/queues/failing/dead-letters/{id}/requeue", first).map())
                .containsEntry("tasks", 1);
        assertThat(http.delete("/actuator/taskqueue/queues/failing/dead-letters/{id}", letters.get(1).get("id"))
                .map()).containsEntry("tasks", 1);
        assertThat(http.post("/actuator/taskqueue/queues/failing/dead-letters/requeue").map())
                .containsEntry("tasks", 1);
        assertThat(endpoint.queue("failing").pending()).isEqualTo(2);
        client.submit(TestTasks.Greeter::fail);
        endpoint.resume("failing");
        await().atMost(WAIT).until(() -> endpoint.queue("failing").dead() == 3);
        assertThat(http.delete("/actuator/taskqueue/queues/failing/dead-letters").map()).containsEntry("tasks", 3);
    }

    @Test
    void queuesArePausedResumedAndPurged() {
        Reply paused = http.post("/actuator/taskqueue/queues/default/pause");
        client.submit(TestTasks.Greeter::greet, "Ada");

        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.map()).containsEntry("name", "default").containsEntry("paused", true);
        assertThat(http.post("/actuator/taskqueue/queues/default/purge").map()).containsEntry("queue", "default")
                .containsEntry("action", "purge").containsEntry("tasks", 1); // Ada, waiting in the paused queue
        assertThat(http.post("/actuator/taskqueue/queues/default/resume").map()).containsEntry("paused", false);
        assertThat(client.submit(TestTasks.Greeter::greet, "Bob").get(WAIT)).isEqualTo("Hello Bob");
    }

    @Test
    void aTaskIsRevoked() {
        TaskHandle<String> handle = client.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                .submit(TestTasks.Greeter::greet, "Ada");

        Reply revoked = http.post("/actuator/taskqueue/tasks/{id}/terminate", handle.id());

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.map()).containsEntry("taskId", handle.id()).containsEntry("terminate", true)
                .containsEntry("recorded", true).containsEntry("state", "REVOKED");
    }

    @Test
    void aTaskIdThatTwoQueuesHaveIsNamedWithItsQueue() {
        String id = "shared-" + System.nanoTime(); // unique per run: records outlive the test
        for (String queue : List.of("default", "reports")) {
            client.withOptions(TaskOptions.defaults().queue(queue).taskId(id).countdown(Duration.ofHours(1)))
                    .submit(TestTasks.Greeter::greet, queue);
        }

        assertThat(http.get("/actuator/taskqueue/tasks/{id}", id)).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.message()).contains("[default, reports]").contains("queues/{queue}/tasks/{id}");
        });
        assertThat(http.post("/actuator/taskqueue/tasks/{id}/revoke", id).status()).isEqualTo(400);
        assertThat(http.get("/actuator/taskqueue/queues/reports/tasks/{id}", id).map())
                .containsEntry("queue", "reports").containsEntry("state", "SCHEDULED");

        Reply revoked = http.post("/actuator/taskqueue/queues/reports/tasks/{id}/revoke", id);

        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.map()).containsEntry("recorded", true).containsEntry("state", "REVOKED");
        assertThat(http.get("/actuator/taskqueue/queues/default/tasks/{id}", id).map())
                .containsEntry("state", "SCHEDULED");
        assertThat(http.post("/actuator/taskqueue/queues/default/tasks/{id}/explode", id).status()).isEqualTo(400);
    }

    @Test
    void schedulesAreShownDisabledAndEnabledForEveryInstance() {
        Reply nightly = http.get("/actuator/taskqueue/schedules/nightly");

        assertThat(nightly.status()).isEqualTo(200);
        assertThat(nightly.map()).containsEntry("name", "nightly").containsEntry("task", "test.greet")
                .containsEntry("queue", "default").containsEntry("enabled", true)
                .containsEntry("trigger", "cron '0 0 3 * * *' in Europe/Paris").containsEntry("missedTicks", "SKIP")
                .containsKey("lastRunAt");
        assertThat(nightly.map().get("nextRunAt")).asString().endsWith(":00:00Z");

        Reply disabled = http.post("/actuator/taskqueue/schedules/nightly/disable");

        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.map()).containsEntry("enabled", false).containsEntry("nextRunAt", null);
        assertThat(schedules.scheduleStates(List.of("nightly")).get("nightly").enabled()).isFalse();
        assertThat(http.get("/actuator/taskqueue").map().get("schedules")).asString().contains("enabled=false");
        assertThat(http.post("/actuator/taskqueue/schedules/nightly/enable").map()).containsEntry("enabled", true);
        assertThat(http.get("/actuator/taskqueue/schedules/other").status()).isEqualTo(404);
        assertThat(http.post("/actuator/taskqueue/schedules/other/enable")).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.message()).contains("No schedule 'other'").contains("[nightly]");
        });
        assertThat(http.post("/actuator/taskqueue/schedules/nightly/pause").message())
                .contains("use enable or disable");
    }

    @Test
    void pathsAndParametersThatNameNothingValidAreBadRequestsSayingWhatIsValid() {
        assertThat(http.get("/actuator/taskqueue/nonsense")).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.message()).contains("use queues, workers, catalog, schedules, chords, events or outbox");
        });
        assertThat(http.get("/actuator/taskqueue/workers/w1").status()).isEqualTo(400);
        assertThat(http.get("/actuator/taskqueue/queues/default/letters").message())
                .contains("use queues/{name}/dead-letters");
        assertThat(http.post("/actuator/taskqueue/queues/default/explode").message())
                .contains("use pause, resume or purge");
        assertThat(http.post("/actuator/taskqueue/tasks/some-id/pause").status()).isEqualTo(400);
        assertThat(http.get("/actuator/taskqueue/queues/failing/dead-letters?count=0").message())
                .contains("between 1 and 500");
        assertThat(http.get("/actuator/taskqueue/queues/failing/dead-letters?count=lots").status()).isEqualTo(400);
        assertThat(http.delete("/actuator/taskqueue/queues/failing/dead-letters/abc").message())
                .contains("not a dead letter id");
        assertThat(http.get("/actuator/taskqueue/tasks/{id}", "a b").message()).contains("A task id must be");
        assertThat(endpoint.queue("default").paused()).isFalse();
    }

    @Test
    void unknownQueuesTasksAndDeadLettersAreNotFound() {
        assertThat(http.get("/actuator/taskqueue/queues/nope")).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.message()).contains("No queue 'nope'");
        });
        assertThat(http.get("/actuator/taskqueue/tasks/unknown-id").status()).isEqualTo(404);
        assertThat(http.post("/actuator/taskqueue/queues/nope/pause").status()).isEqualTo(404);
        assertThat(http.get("/actuator/taskqueue/queues/nope/dead-letters").status()).isEqualTo(404);
        assertThat(http.get("/actuator/taskqueue/queues/failing/dead-letters/1-0").status()).isEqualTo(404);
        assertThat(http.get("/actuator/taskqueue/queues/failing/dead-letters/1-99999999999999999999").status())
                .isEqualTo(404); // beyond a stream id's 64 bits
        assertThat(http.post("/actuator/taskqueue/queues/failing/dead-letters/1-0/requeue").status())
                .isEqualTo(404);
        assertThat(http.delete("/actuator/taskqueue/queues/failing/dead-letters/1-0").status()).isEqualTo(404);
        assertThat(http.get("/actuator/taskqueue/events").message()).contains("taskqueue.events.stream.enabled");
    }

    @Test
    void aTaskRecordThatTaskqueueDidNotWriteIsAServerErrorSayingWhy() {
        redis.opsForHash().put("{endpoint-web-tests:default}:t:forged", "state", "EXPLODED");

        assertThat(http.get("/actuator/taskqueue/queues/default/tasks/forged")).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(500);
            assertThat(reply.message()).contains("The stored record of task [forged] in queue 'default' cannot be "
                    + "read: its state 'EXPLODED' is not one taskqueue writes");
        });
    }

    @Test
    void aLaggingQueueTakesTheInstanceOutOfReadiness() {
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);

        client.withOptions(TaskOptions.defaults().queue("reports")).submit(TestTasks.Greeter::greet, "Ada");

        await().atMost(WAIT).until(() -> http.get("/actuator/health/readiness").status() == 503);
        Reply readiness = http.get("/actuator/health/readiness");
        assertThat(readiness.map()).containsEntry("status", "OUT_OF_SERVICE");
        Map<String, Object> taskqueue = map(map(readiness.map().get("components")).get("taskqueue"));
        assertThat(taskqueue).containsEntry("status", "OUT_OF_SERVICE");
        assertThat(map(taskqueue.get("details")).get("lagging")).asString().contains("reports");
        endpoint.purge("reports");
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** A user's application: auto-configuration, a task bean and the README's security, on the shared test Redis. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({ TestTasks.Greeter.class, ActuatorSecurity.class, ActuatorUsers.class })
    static class WebApplication {

        @Bean
        static DynamicPropertyRegistrar sharedRedis() {
            return TestTasks::redis;
        }
    }
}
