package dev.taskqueue.autoconfigure.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.taskqueue.Sensitive;
import dev.taskqueue.Task;
import dev.taskqueue.actuate.endpoint.TaskQueueEndpoint;
import dev.taskqueue.actuate.view.OutboxOperations;
import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.autoconfigure.actuate.ActuatorHttp.Reply;
import dev.taskqueue.readme.security.ActuatorSecurity;
import dev.taskqueue.readme.security.ActuatorUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistrar;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transactional outbox in {@code /actuator/taskqueue} over real HTTP, behind the README's security, when the
 * application has an {@link OutboxOperations} bean (taskqueue-outbox's is tested over a real table in that module;
 * here a small one in memory stands for it): the overview's {@code outbox} section, the failed rows with their error
 * and preview as values (masked whole for a task that declares sensitive values), retry and delete as writes with the
 * endpoint's 400 and 404, and 405 for them while the endpoint is read-only. Without the bean there is no section and
 * {@code outbox} answers 404 ({@link TaskQueueEndpointWebTests}).
 */
class TaskQueueEndpointOutboxWebTests {

    static final String PASSWORD = "hunter2";

    /** A row sending test.greet: its preview shows its arguments. */
    static final String GREETING = "{\"v\":1,\"writes\":[{\"send\":[{\"id\":\"t1\",\"task\":\"test.greet\","
            + "\"queue\":\"nowhere\",\"body\":\"{\\\"task\\\":\\\"test.greet\\\",\\\"args\\\":[\\\"Ada\\\"]}\"}]}]}";

    /** A row sending outbox.sign-in, whose password is sensitive. */
    static final String SIGN_IN = "{\"v\":1,\"writes\":[{\"send\":[{\"id\":\"t2\",\"task\":\"outbox.sign-in\","
            + "\"body\":\"{\\\"task\\\":\\\"outbox.sign-in\\\",\\\"args\\\":[\\\"ada\\\",\\\"" + PASSWORD
            + "\\\"]}\"}]}]}";

    @Nested
    @SpringBootTest(classes = OutboxApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=taskqueue",
                    "management.endpoint.taskqueue.access=unrestricted",
                    "management.endpoint.taskqueue.show-values=always", "taskqueue.key-prefix=endpoint-outbox-open" })
    @DirtiesContext
    class Open {

        @LocalServerPort
        int port;

        @Autowired
        MemoryOutbox outbox;

        ActuatorHttp http;

        @BeforeEach
        void twoFailedRows() {
            http = new ActuatorHttp(port);
            outbox.reset(3, Duration.ofMillis(1500), GREETING, SIGN_IN);
        }

        @Test
        void theOverviewShowsTheOutboxsDepth() {
            assertThat(http.get("/actuator/taskqueue").map().get("outbox")).isEqualTo(Map.of("pending", 3,
                    "oldestAgeSeconds", 1.5, "failed", 2, "table", MemoryOutbox.TABLE));
        }

        @Test
        void failedRowsAreListedOldestFirstWithTheirErrorAndPreview() {
            Reply reply = http.get("/actuator/taskqueue/outbox");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.map()).containsOnlyKeys("pending", "oldestAgeSeconds", "failed", "table", "failedRows")
                    .containsEntry("failed", 2);
            List<Map<String, Object>> rows = rows(reply);
            assertThat(rows).extracting(row -> row.get("id")).containsExactly(1, 2);
            assertThat(rows.get(0)).containsOnlyKeys("id", "createdAt", "failedAt", "error", "payloadLength", "tasks",
                    "preview").containsEntry("error", MemoryOutbox.ERROR).containsEntry("preview", GREETING)
                    .containsEntry("payloadLength", GREETING.length()).containsEntry("tasks", List.of("test.greet"));
            assertThat(rows(http.get("/actuator/taskqueue/outbox?count=1"))).hasSize(1);
            assertThat(http.get("/actuator/taskqueue/outbox?count=0")).satisfies(bad -> {
                assertThat(bad.status()).isEqualTo(400);
                assertThat(bad.message()).contains("count must be between 1 and");
            });
        }

        @Test
        void aPreviewIsMaskedWholeWhenItsTaskDeclaresSensitiveValues() {
            Map<String, Object> signIn = rows(http.get("/actuator/taskqueue/outbox")).get(1);

            assertThat(signIn).containsEntry("tasks", List.of("outbox.sign-in"));
            assertThat(signIn.get("preview")).asString().doesNotContain(PASSWORD).contains("******");
        }

        @Test
        void aFailedRowIsRetriedAndAnotherDeleted() {
            Reply retried = http.post("/actuator/taskqueue/outbox/{id}/retry", 1);
            assertThat(retried.status()).isEqualTo(200);
            assertThat(retried.map()).containsEntry("id", 1).containsEntry("action", "retry");
            assertThat(retried.map().get("outbox")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("pending", 4).containsEntry("failed", 1);

            Reply deleted = http.delete("/actuator/taskqueue/outbox/{id}", 2);
            assertThat(deleted.status()).isEqualTo(200);
            assertThat(deleted.map()).containsEntry("id", 2).containsEntry("action", "delete");
            assertThat(rows(http.get("/actuator/taskqueue/outbox"))).isEmpty();
        }

        @Test
        void anUnknownRowAnswers404AndWhatIsNotARowOrAnAction400() {
            assertThat(http.post("/actuator/taskqueue/outbox/{id}/retry", 42)).satisfies(reply -> {
                assertThat(reply.status()).isEqualTo(404);
                assertThat(reply.message()).contains("No failed outbox row 42");
            });
            assertThat(http.delete("/actuator/taskqueue/outbox/{id}", 42).status()).isEqualTo(404);
            assertThat(http.post("/actuator/taskqueue/outbox/{id}/retry", "abc")).satisfies(reply -> {
                assertThat(reply.status()).isEqualTo(400);
                assertThat(reply.message()).contains("'abc' is not an outbox row id");
            });
            assertThat(http.delete("/actuator/taskqueue/outbox/{id}", "-1").status()).isEqualTo(400);
            assertThat(http.post("/actuator/taskqueue/outbox/1/send").message()).contains("use retry");
            assertThat(http.delete("/actuator/taskqueue/queues/default").message()).contains("use outbox/{id}");
            assertThat(rows(http.get("/actuator/taskqueue/outbox"))).hasSize(2);
        }
    }

    @Nested
    @SpringBootTest(classes = OutboxApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "management.endpoints.web.exposure.include=taskqueue",
                    "taskqueue.key-prefix=endpoint-outbox-defaults" })
    @DirtiesContext
    class ByDefault {

        @LocalServerPort
        int port;

        @Autowired
        MemoryOutbox outbox;

        @Test
        void errorsAndPreviewsAreHiddenAndRowsCannotBeChanged() {
            outbox.reset(0, Duration.ZERO, GREETING);
            ActuatorHttp http = new ActuatorHttp(port);

            assertThat(rows(http.get("/actuator/taskqueue/outbox")).get(0))
                    .containsEntry("error", TaskQueueEndpoint.HIDDEN).containsEntry("preview", TaskQueueEndpoint.HIDDEN)
                    .containsEntry("tasks", List.of("test.greet")).containsEntry("payloadLength", GREETING.length());
            assertThat(http.post("/actuator/taskqueue/outbox/1/retry").status()).isEqualTo(405);
            assertThat(http.delete("/actuator/taskqueue/outbox/1").status()).isEqualTo(405);
            assertThat(outbox.status().failed()).isEqualTo(1);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Reply reply) {
        return (List<Map<String, Object>>) reply.map().get("failedRows");
    }

    /**
     * An outbox in memory, standing for taskqueue-outbox's: failed rows numbered from 1 in the order given, each
     * naming the tasks of its payload as the real one does.
     */
    static final class MemoryOutbox implements OutboxOperations {

        static final String TABLE = "taskqueue_outbox";

        static final String ERROR = "Unknown queue 'nowhere'";

        private final List<FailedRow> failed = new ArrayList<>();
        private long pending;
        private Duration oldest = Duration.ZERO;

        synchronized void reset(long pending, Duration oldest, String... payloads) {
            this.pending = pending;
            this.oldest = oldest;
            failed.clear();
            Instant now = Instant.now();
            for (String payload : payloads) {
                String task = payload.replaceAll("(?s).*?\"task\":\"([^\"]+)\".*", "$1");
                failed.add(new FailedRow(failed.size() + 1, now.minusSeconds(60), now, ERROR, payload.length(),
                        List.of(task), payload));
            }
        }

        @Override
        public synchronized Status status() {
            return new Status(pending, oldest, failed.size(), TABLE);
        }

        @Override
        public synchronized List<FailedRow> failed(int max) {
            return List.copyOf(failed.subList(0, Math.min(max, failed.size())));
        }

        @Override
        public synchronized boolean retry(long id) {
            boolean removed = failed.removeIf(row -> row.id() == id);
            pending += removed ? 1 : 0;
            return removed;
        }

        @Override
        public synchronized boolean delete(long id) {
            return failed.removeIf(row -> row.id() == id);
        }
    }

    /** A task whose password is sensitive. */
    static class SignIn {

        @Task(name = "outbox.sign-in")
        void signIn(String user, @Sensitive String password) {
        }
    }

    /** A user's application with an outbox: auto-configuration, tasks and the README's security. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({ TestTasks.Greeter.class, SignIn.class, ActuatorSecurity.class, ActuatorUsers.class })
    static class OutboxApplication {

        @Bean
        static DynamicPropertyRegistrar sharedRedis() {
            return TestTasks::redis;
        }

        @Bean
        MemoryOutbox outbox() {
            return new MemoryOutbox();
        }
    }
}
