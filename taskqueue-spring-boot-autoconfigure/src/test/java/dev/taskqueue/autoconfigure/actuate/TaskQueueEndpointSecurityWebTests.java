package dev.taskqueue.autoconfigure.actuate;

import dev.taskqueue.broker.Broker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Spring Security example keeps the endpoint's write operations for operators. */
@SpringBootTest(classes = TaskQueueEndpointWebTests.WebApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=taskqueue,health",
                "management.endpoint.taskqueue.access=unrestricted", "taskqueue.worker.enabled=false",
                "taskqueue.key-prefix=endpoint-security-tests" })
@DirtiesContext
class TaskQueueEndpointSecurityWebTests {

    @LocalServerPort
    int port;

    @Autowired
    Broker broker;

    @Test
    void anonymousCallersSeeOnlyHealth() {
        ActuatorHttp anonymous = new ActuatorHttp(port, null, null);

        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/taskqueue").status()).isEqualTo(401);
        assertThat(anonymous.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(401);
    }

    @Test
    void monitorsReadButCannotAct() {
        ActuatorHttp monitor = new ActuatorHttp(port, "monitor", "monitor-secret");

        assertThat(monitor.get("/actuator/taskqueue").status()).isEqualTo(200);
        assertThat(monitor.get("/actuator/taskqueue/queues/default").status()).isEqualTo(200);
        assertThat(monitor.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(403);
        assertThat(monitor.delete("/actuator/taskqueue/queues/default/dead-letters").status()).isEqualTo(403);
        assertThat(broker.stats("default").paused()).isFalse();
    }

    @Test
    void operatorsAct() {
        ActuatorHttp ops = new ActuatorHttp(port);

        assertThat(ops.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(200);
        assertThat(broker.stats("default").paused()).isTrue();
        assertThat(ops.post("/actuator/taskqueue/queues/default/resume").status()).isEqualTo(200);
    }
}
