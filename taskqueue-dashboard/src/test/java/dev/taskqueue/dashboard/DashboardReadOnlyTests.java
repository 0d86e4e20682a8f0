package dev.taskqueue.dashboard;

import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.dashboard.DashboardHttp.Reply;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code taskqueue.dashboard.read-only=true}: every action is refused, even an administrator's, and the UI is told. */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "taskqueue.dashboard.read-only=true")
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
@DirtiesContext
class DashboardReadOnlyTests {

    @LocalServerPort
    int port;

    @Autowired
    QueueAdmin admin;

    @Test
    void everyActionIsRefusedAndTheUiIsTold() {
        DashboardHttp administrator = new DashboardHttp(port, "admin").withCsrf();

        Reply pause = administrator.post("/taskqueue/api/queues/default/pause");
        assertThat(pause.status()).isEqualTo(403);
        assertThat((String) pause.map().get("error")).contains("read-only");
        assertThat(administrator.post("/taskqueue/api/queues/default/purge").status()).isEqualTo(403);
        assertThat(administrator.delete("/taskqueue/api/queues/default/dead").status()).isEqualTo(403);
        assertThat(admin.stats("default").paused()).isFalse();

        assertThat(administrator.get("/taskqueue/api/queues").status()).isEqualTo(200);
        assertThat(administrator.get("/taskqueue/api/me").map()).containsEntry("readOnly", true);
        assertThat(administrator.get("/taskqueue/").body()).contains("<meta name=\"tq-read-only\" content=\"true\">");
    }
}
