package dev.taskqueue.dashboard.readme;

import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.dashboard.DashboardHttp;
import dev.taskqueue.dashboard.DashboardTestApplication;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's production security ({@link DashboardSecurity}) does what the README says. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
@DirtiesContext
class DashboardSecurityTests {

    @LocalServerPort
    int port;

    @Autowired
    QueueAdmin admin;

    @Test
    void supportReadsOncallOperatesLeadPurgesAndStrangersAreSentToTheLogin() {
        DashboardHttp support = DashboardHttp.signedIn(port, "support", "support").withCsrf();
        DashboardHttp oncall = DashboardHttp.signedIn(port, "oncall", "oncall").withCsrf();
        DashboardHttp lead = DashboardHttp.signedIn(port, "lead", "lead").withCsrf();

        assertThat(support.get("/taskqueue/api/queues").status()).isEqualTo(200);
        assertThat(support.post("/taskqueue/api/queues/default/pause").status()).isEqualTo(403);
        assertThat(oncall.post("/taskqueue/api/queues/default/pause").status()).isEqualTo(200);
        assertThat(oncall.post("/taskqueue/api/queues/default/resume").status()).isEqualTo(200);
        assertThat(oncall.post("/taskqueue/api/queues/default/purge").status()).isEqualTo(403);
        assertThat(lead.post("/taskqueue/api/queues/default/purge").status()).isEqualTo(200);
        assertThat(admin.stats("default").paused()).isFalse();
        assertThat(new DashboardHttp(port, null).get("/taskqueue/").status()).isEqualTo(302);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(DashboardSecurity.class)
    static class SecuredApplication {

        @Bean
        DashboardTestApplication.Mail mail() {
            return new DashboardTestApplication.Mail();
        }
    }
}
