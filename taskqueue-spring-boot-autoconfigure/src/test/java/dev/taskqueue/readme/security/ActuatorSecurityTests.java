package dev.taskqueue.readme.security;

import dev.taskqueue.autoconfigure.TestTasks;
import dev.taskqueue.autoconfigure.actuate.ActuatorHttp;
import dev.taskqueue.broker.QueueAdmin;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's "Securing it", registered the way an application registers it: found by the component scan of a
 * {@code @SpringBootApplication} in its package (importing it would hide a bean name clash), on a real server.
 * Health is open; reading the endpoint takes MONITOR or OPS, its write operations (POST, DELETE) OPS.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=taskqueue,health",
                "management.endpoint.taskqueue.access=unrestricted", "taskqueue.worker.enabled=false",
                "taskqueue.key-prefix=readme-security-tests" })
@DirtiesContext
class ActuatorSecurityTests {

    @LocalServerPort
    int port;

    @Autowired
    QueueAdmin admin;

    /** The shared test Redis: declared here, not as a registrar bean, so that the development Redis sees it is set. */
    @DynamicPropertySource
    static void sharedRedis(DynamicPropertyRegistry registry) {
        TestTasks.redis(registry);
    }

    @Test
    void anonymousCallersSeeOnlyHealth() {
        ActuatorHttp anonymous = new ActuatorHttp(port, null, null);

        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/taskqueue").status()).isEqualTo(401);
        assertThat(anonymous.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(401);
    }

    @Test
    void monitorsReadButCannotAct() {
        ActuatorHttp monitor = new ActuatorHttp(port, ActuatorUsers.MONITOR, ActuatorUsers.MONITOR_PASSWORD);

        assertThat(monitor.get("/actuator/taskqueue").status()).isEqualTo(200);
        assertThat(monitor.get("/actuator/taskqueue/queues/default").status()).isEqualTo(200);
        assertThat(monitor.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(403);
        assertThat(monitor.delete("/actuator/taskqueue/queues/default/dead-letters").status()).isEqualTo(403);
        assertThat(admin.stats("default").paused()).isFalse();
    }

    @Test
    void operatorsAct() {
        ActuatorHttp ops = new ActuatorHttp(port);

        assertThat(ops.post("/actuator/taskqueue/queues/default/pause").status()).isEqualTo(200);
        assertThat(admin.stats("default").paused()).isTrue();
        assertThat(ops.post("/actuator/taskqueue/queues/default/resume").status()).isEqualTo(200);
    }

    /** An application's main class: its component scan finds {@link ActuatorSecurity} and {@link ActuatorUsers}. */
    @SpringBootApplication
    static class SecuredApplication {
    }
}
