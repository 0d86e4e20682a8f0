package dev.taskqueue.dashboard;

import java.util.List;
import java.util.Map;

import dev.taskqueue.dashboard.DashboardHttp.Reply;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox panel over real HTTP, with a real outbox (an H2 table, taskqueue-outbox's relay writing to the test
 * Redis): the overview's numbers, the rows the relay gave up on with their error and preview shown as
 * {@code show-values} says (a sensitive task's preview masked whole even then), and retry and delete for those with
 * the operate right, audited. Without an outbox the overview has no panel ({@link DashboardWebTests}).
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "taskqueue.outbox.enabled=true", "spring.datasource.url=jdbc:h2:mem:dashboard-outbox" })
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
@DirtiesContext
class DashboardOutboxTests {

    /** A row of a format this version cannot read: the relay gives up on it, keeping its error. */
    static final String FUTURE_FORMAT = "{\"v\":99,\"writes\":[]}";

    /** A row the relay gives up on, sending mail.login, whose password is sensitive. */
    static final String SIGN_IN = "{\"v\":99,\"writes\":[{\"send\":[{\"id\":\"m1\",\"task\":\"mail.login\","
            + "\"body\":\"{\\\"task\\\":\\\"mail.login\\\",\\\"args\\\":[\\\"ada\\\",\\\"hunter2\\\"]}\"}]}]}";

    @LocalServerPort
    int port;

    @Autowired
    JdbcOutboxStore store;

    @Autowired
    OutboxRelay relay;

    @Autowired
    DashboardTestApplication.AuditEvents auditEvents;

    DashboardHttp operator;

    @BeforeEach
    void twoFailedRows() {
        store.failed(100).forEach(row -> store.delete(row.id()));
        store.add(FUTURE_FORMAT);
        store.add(SIGN_IN);
        relay.wake();
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> store.stats().failed() == 2);
        operator = new DashboardHttp(port, "operator").withCsrf();
    }

    @Test
    void theOverviewShowsTheOutboxPanelsNumbers() {
        Map<String, Object> overview = operator.get("/taskqueue/api/overview").map();

        assertThat(map(overview.get("outbox"))).containsEntry("pending", 0).containsEntry("failed", 2)
                .containsEntry("table", "taskqueue_outbox").containsKey("oldestPendingAgeMillis");
    }

    @Test
    void failedRowsShowTheirErrorAndPreviewToOperatorsAndNotToReaders() {
        Reply listed = operator.get("/taskqueue/api/outbox");

        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.map()).containsOnlyKeys("outbox", "failedRows");
        List<Map<String, Object>> rows = rows(listed);
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsOnlyKeys("id", "createdAt", "failedAt", "error", "payloadLength", "tasks",
                "preview").containsEntry("preview", FUTURE_FORMAT).containsEntry("tasks", List.of());
        assertThat((String) rows.get(0).get("error")).contains("format 99");
        assertThat(rows.get(1)).containsEntry("tasks", List.of("mail.login"));
        assertThat((String) rows.get(1).get("preview")).as("sensitive: masked whatever show-values says")
                .doesNotContain("hunter2");

        List<Map<String, Object>> asReader = rows(new DashboardHttp(port, "reader").get("/taskqueue/api/outbox"));
        assertThat(asReader).allSatisfy(row -> assertThat(row).containsEntry("error", "******")
                .containsEntry("preview", "******"));
    }

    @Test
    void anOperatorRetriesAndDeletesAFailedRowAndAReaderMayNot() {
        List<Map<String, Object>> rows = rows(operator.get("/taskqueue/api/outbox"));
        Object first = rows.get(0).get("id");
        Object second = rows.get(1).get("id");
        DashboardHttp reader = new DashboardHttp(port, "reader").withCsrf();

        assertThat(reader.post("/taskqueue/api/outbox/" + first + "/retry").status()).isEqualTo(403);
        assertThat(reader.delete("/taskqueue/api/outbox/" + first).status()).isEqualTo(403);
        Reply retried = operator.post("/taskqueue/api/outbox/" + first + "/retry");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.map()).containsEntry("action", "TASKQUEUE_OUTBOX_ROW_RETRIED")
                .containsEntry("target", "outbox/" + first).containsEntry("count", 1);
        assertThat(operator.delete("/taskqueue/api/outbox/" + second).status()).isEqualTo(200);
        assertThat(operator.delete("/taskqueue/api/outbox/" + second).status()).isEqualTo(404);
        assertThat(operator.post("/taskqueue/api/outbox/abc/retry").status()).isEqualTo(400);

        relay.wake(); // the retried row fails again: its format has not changed
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> store.failed(10).stream()
                .anyMatch(row -> String.valueOf(row.id()).equals(String.valueOf(first))));
        assertThat(store.failed(10)).hasSize(1);
        assertThat(auditEvents.events).extracting(event -> event.getAuditEvent().getType())
                .contains("TASKQUEUE_OUTBOX_ROW_RETRIED", "TASKQUEUE_OUTBOX_ROW_DELETED");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Reply reply) {
        return (List<Map<String, Object>>) reply.map().get("failedRows");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
