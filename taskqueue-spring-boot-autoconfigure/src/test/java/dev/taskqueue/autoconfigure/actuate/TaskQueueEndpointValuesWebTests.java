package dev.taskqueue.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskContext;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.Workflows;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.autoconfigure.actuate.ActuatorHttp.Reply;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.readme.security.ActuatorSecurity;
import dev.taskqueue.readme.security.ActuatorUsers;
import dev.taskqueue.testing.SharedRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.taskqueue.autoconfigure.TestTasks.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

/**
 * What tasks carry (a card number in the arguments, an API key in the result, the card again in an error message, a
 * dead letter, an event and a chord's failure) over HTTP, behind the README's security, as
 * {@code management.endpoint.taskqueue.show-values} says: hidden by default even from an operator, shown to the
 * configured roles with {@code when-authorized}, shown to every reader with {@code always}. States, names, timings
 * and counts show in every case.
 */
class TaskQueueEndpointValuesWebTests {

    static final String CARD = "4111 1111 1111 1111";

    static final String DECLINED_CARD = "4000 0000 0000 0002";

    static final String API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";

    @Nested
    @SpringBootTest(classes = ValuesApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=taskqueue",
                    "taskqueue.events.stream.enabled=true", "taskqueue.key-prefix=endpoint-values-never" })
    @DirtiesContext
    class ByDefault extends Payments.Charged {

        @Test
        void valuesAreHiddenEvenFromAnOperatorAndEverythingElseShows() {
            ActuatorHttp ops = new ActuatorHttp(port);

            assertThat(everyRead(ops, this)).allSatisfy(TaskQueueEndpointValuesWebTests::holdsNoValue);
            assertThat(ops.get("/actuator/taskqueue/tasks/{id}", charged).map())
                    .containsEntry("state", "SUCCESS").containsEntry("name", "payments.charge")
                    .containsEntry("queue", "default").containsEntry("attempt", 1).containsEntry("progress", 0.5)
                    .containsEntry("arguments", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("result", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("progressMessage", TaskQueueEndpoint.HIDDEN)
                    .containsKeys("startedAt", "finishedAt", "worker");
            assertThat(ops.get("/actuator/taskqueue/tasks/{id}", declined).map()).containsEntry("state", "FAILURE")
                    .extractingByKey("error", MAP).containsEntry("type", IllegalStateException.class.getName())
                    .containsEntry("message", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("stackTrace", TaskQueueEndpoint.HIDDEN);
            assertThat(deadLetter(ops)).containsEntry("taskId", declined)
                    .containsEntry("errorType", IllegalStateException.class.getName())
                    .containsEntry("errorMessage", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("stackTrace", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("message", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("reason", TaskQueueEndpoint.HIDDEN).containsEntry("attempt", 1)
                    .hasEntrySatisfying("messageLength", length -> assertThat((Integer) length).isPositive());
            assertThat(ops.get("/actuator/taskqueue").map())
                    .containsEntry("broker", "redis " + TaskQueueEndpoint.HIDDEN);
        }
    }

    @Nested
    @SpringBootTest(classes = ValuesApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=taskqueue",
                    "taskqueue.events.stream.enabled=true", "taskqueue.key-prefix=endpoint-values-when-authorized",
                    "management.endpoint.taskqueue.show-values=when-authorized",
                    "management.endpoint.taskqueue.roles=OPS" })
    @DirtiesContext
    class WhenAuthorized extends Payments.Charged {

        @Test
        void valuesAreShownOnlyToAUserWithAConfiguredRole() {
            ActuatorHttp ops = new ActuatorHttp(port);
            ActuatorHttp monitor = new ActuatorHttp(port, ActuatorUsers.MONITOR, ActuatorUsers.MONITOR_PASSWORD);

            assertThat(everyRead(monitor, this)).allSatisfy(TaskQueueEndpointValuesWebTests::holdsNoValue);
            assertShown(ops, this);
        }
    }

    @Nested
    @SpringBootTest(classes = ValuesApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=taskqueue",
                    "taskqueue.events.stream.enabled=true", "taskqueue.key-prefix=endpoint-values-always",
                    "management.endpoint.taskqueue.show-values=always" })
    @DirtiesContext
    class Always extends Payments.Charged {

        @Test
        void valuesAreShownToEveryReader() {
            ActuatorHttp monitor = new ActuatorHttp(port, ActuatorUsers.MONITOR, ActuatorUsers.MONITOR_PASSWORD);

            assertShown(monitor, this);
        }
    }

    private static void assertShown(ActuatorHttp http, Payments.Charged fixture) {
        assertThat(http.get("/actuator/taskqueue/tasks/{id}", fixture.charged).map())
                .containsEntry("arguments", List.of(CARD)).containsEntry("progressMessage", "charging " + CARD)
                .extractingByKey("result").asString().contains(API_KEY);
        assertThat(http.get("/actuator/taskqueue/tasks/{id}", fixture.declined).map()).extractingByKey("error")
                .asString().contains("card " + DECLINED_CARD + " declined");
        assertThat(deadLetter(http)).satisfies(letter -> {
            assertThat(letter.get("message")).asString().contains(DECLINED_CARD);
            assertThat(letter.get("errorMessage")).isEqualTo("card " + DECLINED_CARD + " declined");
            assertThat(letter.get("stackTrace")).asString().contains("Payments.charge");
        });
        assertThat(http.get("/actuator/taskqueue/events?count=100").body()).asString().contains(DECLINED_CARD);
        assertThat(http.get("/actuator/taskqueue/chords").body()).asString().contains(DECLINED_CARD);
        assertThat(http.get("/actuator/taskqueue").map())
                .containsEntry("broker", "redis 127.0.0.1:" + SharedRedis.port());
    }

    /** The only dead letter (the declined charge's), whole. */
    private static Map<String, Object> deadLetter(ActuatorHttp http) {
        List<Map<String, Object>> page = deadLetters(http);
        assertThat(page).hasSize(1);
        return http.get("/actuator/taskqueue/queues/default/dead-letters/{id}", page.get(0).get("id")).map();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> deadLetters(ActuatorHttp http) {
        return (List<Map<String, Object>>) http.get("/actuator/taskqueue/queues/default/dead-letters").map()
                .get("deadLetters");
    }

    /** The JSON of every read: each list, each task and each dead letter. */
    private static List<String> everyRead(ActuatorHttp http, Payments.Charged fixture) {
        List<String> paths = new ArrayList<>(List.of("", "/queues", "/queues/default", "/workers", "/catalog",
                "/schedules", "/chords", "/events?count=100", "/queues/default/dead-letters",
                "/tasks/" + fixture.charged, "/tasks/" + fixture.declined, "/tasks/" + fixture.receipt,
                "/queues/default/tasks/" + fixture.charged));
        deadLetters(http).forEach(letter -> paths.add("/queues/default/dead-letters/" + letter.get("id")));
        List<String> bodies = new ArrayList<>();
        for (String path : paths) {
            Reply reply = http.get("/actuator/taskqueue" + path);
            assertThat(reply.status()).as(path).isEqualTo(200);
            bodies.add(JsonMapper.shared().writeValueAsString(reply.body()));
        }
        return bodies;
    }

    private static void holdsNoValue(String body) {
        assertThat(body).doesNotContain(CARD).doesNotContain(DECLINED_CARD).doesNotContain(API_KEY)
                .doesNotContain("127.0.0.1:");
    }

    /** Charges a card, declines another, and opens a chord that the declined card fails. */
    static class Payments {

        /** Holds charges until the test has seen the progress (a report arriving after the outcome is dropped). */
        final CountDownLatch progressSeen = new CountDownLatch(1);

        @Task(name = "payments.charge")
        public String charge(String card) throws InterruptedException {
            TaskContext.current().progress(0.5, "charging " + card);
            progressSeen.await(10, TimeUnit.SECONDS);
            if (card.equals(DECLINED_CARD)) {
                throw new IllegalStateException("card " + card + " declined");
            }
            return "charged; api key " + API_KEY;
        }

        @Task(name = "payments.receipt")
        public String receipt(List<String> charges) {
            return String.join(", ", charges);
        }

        /** What each test reads: a charge that succeeded, one that failed into the dead letters, a failed chord. */
        abstract static class Charged {

            @LocalServerPort
            int port;

            @Autowired
            TaskClient client;

            @Autowired
            TaskQueueEndpoint endpoint;

            @Autowired
            Payments payments;

            String charged;

            String declined;

            String receipt;

            /** The shared test Redis, set before the development Redis looks whether one is. */
            @DynamicPropertySource
            static void sharedRedis(DynamicPropertyRegistry registry) {
                TestTasks.redis(registry);
            }

            @BeforeEach
            void chargeTwoCards() {
                TaskHandle<String> ok = client.submit(Payments::charge, CARD);
                charged = ok.id();
                await().atMost(WAIT).until(() -> {
                    try {
                        return endpoint.task(charged).progressMessage() != null; // sent apart, while it runs
                    }
                    catch (TaskQueueEndpoint.NotFoundException notStartedYet) {
                        return false;
                    }
                });
                payments.progressSeen.countDown();
                ok.get(WAIT);
                TaskHandle<String> failing = client.submit(Workflows.chord(
                        Workflows.group(TaskCall.of(Payments::charge, DECLINED_CARD)),
                        TaskCall.partial(Payments::receipt)));
                assertThatExceptionOfType(TaskFailedException.class).isThrownBy(() -> failing.get(WAIT));
                receipt = failing.id();
                await().atMost(WAIT).until(() -> endpoint.queue("default").dead() == 1);
                declined = endpoint.deadLetters("default", null, 1).deadLetters().get(0).taskId();
                await().atMost(WAIT).until(() -> endpoint.events(100).stream()
                        .anyMatch(event -> event.type() == TaskEvent.Type.FAILED));
            }
        }
    }

    /** A user's application: auto-configuration, the payment tasks and the README's security. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({ Payments.class, ActuatorSecurity.class, ActuatorUsers.class })
    static class ValuesApplication {
    }
}
