package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.broker.QueueAdmin;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Out of the box, {@code /actuator/taskqueue} answers reads and refuses every write. */
@SpringBootTest(classes = TaskQueueEndpointWebTests.WebApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=taskqueue",
                "taskqueue.key-prefix=endpoint-read-only-tests" })
@DirtiesContext
class TaskQueueEndpointReadOnlyWebTests {

    @LocalServerPort
    int port;

    @Autowired
    QueueAdmin admin;

    @Test
    void writeOperationsAreOffByDefault() {
        ActuatorHttp http = new ActuatorHttp(port);

        assertThat(http.get("/actuator/taskqueue").status()).isEqualTo(200);
        assertThat(http.get("/actuator/taskqueue/queues/default").status()).isEqualTo(200);
        assertThat(http.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(405);
        assertThat(http.post("/actuator/taskqueue/queues/default/purge").status()).isEqualTo(405);
        assertThat(http.post("/actuator/taskqueue/queues/default/dead-letters/requeue").status()).isEqualTo(405);
        assertThat(http.delete("/actuator/taskqueue/queues/default/dead-letters").status()).isEqualTo(405);
        assertThat(http.delete("/actuator/taskqueue/queues/default/dead-letters/1-0").status()).isEqualTo(405);
        assertThat(http.post("/actuator/taskqueue/tasks/some-id/revoke").status()).isEqualTo(405);
        assertThat(http.post("/actuator/taskqueue/schedules/nightly/disable").status()).isEqualTo(405);
        assertThat(http.post("/actuator/taskqueue/outbox/1/retry").status()).isEqualTo(405);
        assertThat(http.delete("/actuator/taskqueue/outbox/1").status()).isEqualTo(405);
        assertThat(admin.stats("default").paused()).isFalse();
    }
}
