package dev.taskqueue.dashboard;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.Workflows;
import dev.taskqueue.broker.QueueAdmin;
import dev.taskqueue.broker.QueueBrowser;
import dev.taskqueue.dashboard.DashboardHttp.Reply;
import dev.taskqueue.dashboard.web.DashboardGuard;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import dev.taskqueue.test.TaskQueueTester;
import dev.taskqueue.test.WorkerMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard over real HTTP (embedded Tomcat) behind Spring Boot's default security, on the test Redis, with the
 * worker run by the tests (tasks wait until they say): every route answers the contract's shape, each right is
 * enforced on the server, CSRF stays on, actions are audited, and the stream sends an update when a task arrives.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "taskqueue.schedules.digest.task=mail.send", "taskqueue.schedules.digest.args=ops@example.com",
                "taskqueue.schedules.digest.cron=0 0 3 * * *",
                "taskqueue.dashboard.trace-url=http://localhost:16686/trace/{traceId}" })
@AutoConfigureTaskQueue(worker = WorkerMode.MANUAL)
@DirtiesContext // closed while the test Redis still runs: its keys are deleted without waiting for a timeout
class DashboardWebTests {

    private static final JsonMapper JSON = JsonMapper.shared();

    @LocalServerPort
    int port;

    @Autowired
    TaskClient client;

    @Autowired
    TaskQueueTester tasks;

    @Autowired
    QueueAdmin admin;

    @Autowired
    ObjectProvider<QueueBrowser> browser;

    @Autowired
    DashboardTestApplication.AuditEvents auditEvents;

    DashboardHttp asAdmin;

    @BeforeEach
    void resumeQueues() {
        admin.resume("default");
        admin.resume("bounces");
        asAdmin = new DashboardHttp(port, "admin");
    }

    // ------------------------------------------------------------------------------------------ shell and assets

    @Test
    void shellCarriesTheUsersRightsAndCsrfTokenInMetaTagsUnderAStrictPolicy() {
        Reply page = asAdmin.get("/taskqueue/");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).isEqualTo(DashboardGuard.CONTENT_SECURITY_POLICY)
                .contains("script-src 'self'", "frame-ancestors 'none'");
        assertThat(page.header("Cache-Control")).contains("no-store");
        assertThat(page.body()).contains("<meta name=\"tq-base\" content=\"/taskqueue\">",
                "<meta name=\"tq-user\" content=\"admin\">", "<meta name=\"tq-can\" content=\"read,operate,admin\">",
                "<meta name=\"tq-read-only\" content=\"false\">", "<meta name=\"tq-csrf-header\" content=\"X-CSRF-TOKEN\">",
                "<script type=\"module\" src=\"/taskqueue/static/app.js\"></script>",
                "<link rel=\"stylesheet\" href=\"/taskqueue/static/app.css\">");
        assertThat(page.body()).containsPattern("<meta name=\"tq-csrf-token\" content=\"[^\"]+\">")
                .as("nothing inline").doesNotContain("<script>", "<style", "style=", "onload=");
        assertThat(asAdmin.get("/taskqueue").status()).isEqualTo(200);
    }

    @Test
    void assetsAreServedWithAnEtagAndRevalidated() {
        Reply script = asAdmin.get("/taskqueue/static/app.js");

        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Content-Type")).contains("javascript");
        assertThat(script.header("Content-Security-Policy")).isNotNull();
        String etag = script.header("ETag");
        assertThat(etag).isNotBlank();
        assertThat(asAdmin.get("/taskqueue/static/app.js", Map.of("If-None-Match", etag)).status()).isEqualTo(304);
        assertThat(asAdmin.get("/taskqueue/static/nothing.js").status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------------------------------ reads

    @Test
    void everyReadRouteAnswersTheContractsShape() {
        TaskHandle<String> waiting = client.submit(DashboardTestApplication.Mail::send, "ada@example.com");

        Map<String, Object> overview = asAdmin.get("/taskqueue/api/overview?range=hour").map();
        assertThat(overview).containsOnlyKeys("totals", "queues", "workers", "history");
        assertThat(map(overview.get("totals"))).containsOnlyKeys("pending", "scheduled", "running", "retrying", "dead",
                "workers", "queues", "oldestPendingAgeMillis");
        assertThat(map(overview.get("history"))).containsOnlyKeys("range", "stepMillis", "points",
                "runTimeBoundsMillis").containsEntry("stepMillis", 60_000)
                .containsEntry("runTimeBoundsMillis", List.of(10, 100, 1000, 10_000, 60_000));

        List<Map<String, Object>> queues = asAdmin.get("/taskqueue/api/queues").list();
        Map<String, Object> defaultQueue = queues.stream().filter(q -> q.get("name").equals("default")).findFirst()
                .orElseThrow();
        assertThat(defaultQueue).containsOnlyKeys("name", "pending", "scheduled", "running", "retrying", "dead",
                "oldestPendingAgeMillis", "paused", "consumers", "processedLastMinute", "rateLimit", "concurrency",
                "drainSeconds").containsEntry("pending", 1).containsEntry("paused", false);
        assertThat(queues).extracting(q -> q.get("name")).contains("bounces");

        Map<String, Object> queue = asAdmin.get("/taskqueue/api/queues/default?range=day").map();
        assertThat(queue).containsOnlyKeys("queue", "history");
        assertThat(map(queue.get("history"))).containsEntry("range", "day").containsEntry("stepMillis", 3_600_000);

        assertThat(asAdmin.get("/taskqueue/api/queues/default/tasks?state=dead").map()).containsOnlyKeys("items",
                "next");
        assertThat(asAdmin.get("/taskqueue/api/workers").status()).isEqualTo(200);
        assertThat(asAdmin.get("/taskqueue/api/schedules").list()).singleElement().satisfies(schedule -> assertThat(
                schedule).containsOnlyKeys("name", "task", "queue", "trigger", "enabled", "lastRun", "nextRun",
                        "problem").containsEntry("name", "digest").containsEntry("queue", "default"));
        assertThat(asAdmin.get("/taskqueue/api/catalog").list()).extracting(task -> task.get("name"))
                .contains("mail.send", "mail.bounce");
        assertThat(asAdmin.get("/taskqueue/api/audit").map()).containsOnlyKeys("items", "next");
        assertThat(asAdmin.get("/taskqueue/api/search?q=" + waiting.id()).map()).containsOnlyKeys("tasks");
        Map<String, Object> me = asAdmin.get("/taskqueue/api/me").map();
        assertThat(me).containsEntry("user", "admin").containsEntry("can", List.of("read", "operate", "admin"))
                .containsEntry("readOnly", false);
        assertThat(map(me.get("csrf"))).containsOnlyKeys("header", "parameter", "token");
    }

    @Test
    void queueRowsAndTotalsCountRetryingTasksApartFromScheduledOnes() {
        client.submit(DashboardTestApplication.Mail::defer);
        client.withOptions(dev.taskqueue.TaskOptions.defaults().countdown(Duration.ofHours(1)))
                .submit(DashboardTestApplication.Mail::send, "ada@example.com");
        tasks.startWorker(); // runs what is due (the first attempt) and leaves what waits an hour
        tasks.awaitIdle(Duration.ofSeconds(10));
        tasks.stopWorker();

        List<Map<String, Object>> queues = asAdmin.get("/taskqueue/api/queues").list();
        assertThat(queues).filteredOn(q -> q.get("name").equals("bounces")).singleElement()
                .satisfies(q -> assertThat(q).containsEntry("retrying", 1).containsEntry("scheduled", 0));
        assertThat(queues).filteredOn(q -> q.get("name").equals("default")).singleElement()
                .satisfies(q -> assertThat(q).containsEntry("retrying", 0).containsEntry("scheduled", 1));
        assertThat(map(asAdmin.get("/taskqueue/api/overview?range=hour").map().get("totals")))
                .containsEntry("retrying", 1).containsEntry("scheduled", 1);
    }

    @Test
    void unknownThingsAnswer404WithWhatToDo() {
        Reply queue = asAdmin.get("/taskqueue/api/queues/nope");
        assertThat(queue.status()).isEqualTo(404);
        assertThat((String) queue.map().get("error")).contains("No queue 'nope'", "Known queues");
        assertThat(asAdmin.get("/taskqueue/api/tasks/no-such-task").status()).isEqualTo(404);
        assertThat(asAdmin.get("/taskqueue/api/workflows/no-such-task").status()).isEqualTo(404);
        Reply badState = asAdmin.get("/taskqueue/api/queues/default/tasks?state=lost");
        assertThat(badState.status()).isEqualTo(400);
        assertThat((String) badState.map().get("error")).contains("use pending, scheduled");
        assertThat(asAdmin.get("/taskqueue/api/overview?range=year").status()).isEqualTo(400);
        Reply outbox = asAdmin.get("/taskqueue/api/outbox");
        assertThat(outbox.status()).isEqualTo(404);
        assertThat((String) outbox.map().get("error")).contains("no transactional outbox", "taskqueue-outbox");
    }

    @Test
    void aWaitingTaskIsShownByIdAndInItsQueuesPendingTab() {
        assertThat(browser.getIfAvailable()).as("the Redis QueueBrowser").isNotNull();
        TaskHandle<String> waiting = client.submit(DashboardTestApplication.Mail::send, "ada@example.com");

        Reply task = asAdmin.get("/taskqueue/api/tasks/" + waiting.id());
        assertThat(task.status()).isEqualTo(200);
        assertThat(task.map()).containsEntry("id", waiting.id()).containsEntry("name", "mail.send")
                .containsEntry("queue", "default").containsKeys("result", "headers", "attempts", "traceId", "traceUrl",
                        "workflowId", "children", "progress", "arguments", "deadLetterId");
        List<Map<String, Object>> pending = list(asAdmin.get("/taskqueue/api/queues/default/tasks?state=pending")
                .map().get("items"));
        assertThat(pending).extracting(row -> row.get("id")).contains(waiting.id());
    }

    @Test
    void aTaskShowsItsHeadersTraceLinkAndWorkflowWaitingAndOnceItFinished() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        TaskHandle<String> traced = client.withOptions(dev.taskqueue.TaskOptions.defaults()
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").header("x-tenant", "acme"))
                .submit(DashboardTestApplication.Mail::send, "ada@example.com");
        TaskHandle<String> last = client.submit(Workflows.chain(TaskCall.of(DashboardTestApplication.Mail::send,
                "ada@example.com").withOptions(dev.taskqueue.TaskOptions.defaults().taskId("first-step")),
                TaskCall.of(DashboardTestApplication.Mail::send, "bob@example.com").immutable()));

        for (int run = 0; run < 2; run++) { // waiting (from the message), then finished (from the record)
            Map<String, Object> detail = asAdmin.get("/taskqueue/api/tasks/" + traced.id()).map();
            assertThat(map(detail.get("headers"))).containsEntry("x-tenant", "acme");
            assertThat(detail).containsEntry("traceId", traceId)
                    .containsEntry("traceUrl", "http://localhost:16686/trace/" + traceId);
            assertThat(asAdmin.get("/taskqueue/api/tasks/first-step").map())
                    .containsEntry("children", List.of(last.id())).containsEntry("workflowId", "first-step");
            tasks.runPending();
        }
        assertThat(asAdmin.get("/taskqueue/api/tasks/" + traced.id()).map()).containsEntry("state", "SUCCESS");
        assertThat(asAdmin.get("/taskqueue/api/tasks/" + last.id()).map()).containsEntry("parentId", "first-step")
                .containsEntry("rootId", "first-step").containsEntry("children", List.of());
    }

    @Test
    void argumentsATaskDeclaresSensitiveAreMaskedInTheTaskAndItsQueue() {
        TaskHandle<String> login = client.submit(DashboardTestApplication.Mail::login, "ada", "s3cret");

        Map<String, Object> detail = asAdmin.get("/taskqueue/api/tasks/" + login.id()).map();
        assertThat(String.valueOf(detail.get("arguments"))).contains("ada").contains("******")
                .doesNotContain("s3cret");
        List<Map<String, Object>> pending = list(asAdmin.get("/taskqueue/api/queues/default/tasks?state=pending")
                .map().get("items"));
        assertThat(pending).filteredOn(row -> login.id().equals(row.get("id"))).singleElement()
                .satisfies(row -> assertThat(String.valueOf(row.get("arguments"))).doesNotContain("s3cret"));
    }

    @Test
    void argumentsATaskDeclaresSensitiveAreMaskedInItsDeadLetter() {
        client.submit(DashboardTestApplication.Mail::reject, "ada", "s3cret");
        tasks.runPending();

        List<Map<String, Object>> dead = list(asAdmin.get("/taskqueue/api/queues/bounces/tasks?state=dead").map()
                .get("items"));
        assertThat(dead).singleElement().satisfies(row -> assertThat(String.valueOf(row.get("arguments")))
                .contains("ada", "******").doesNotContain("s3cret"));
    }

    @Test
    void failuresAreListedFilteredAndFoundById() {
        assertThat(browser.getIfAvailable()).as("the Redis QueueBrowser").isNotNull();
        TaskHandle<Void> bounced = client.submit(DashboardTestApplication.Mail::bounce);
        tasks.runPending();

        List<Map<String, Object>> failures = list(asAdmin.get("/taskqueue/api/failures?task=mail.bounce").map()
                .get("items"));
        assertThat(failures).isNotEmpty().allSatisfy(row -> assertThat(row).containsEntry("name", "mail.bounce"));
        assertThat(list(asAdmin.get("/taskqueue/api/failures?task=mail.send").map().get("items"))).isEmpty();
        List<Map<String, Object>> found = list(asAdmin.get("/taskqueue/api/search?q=" + bounced.id()).map()
                .get("tasks"));
        assertThat(found).isNotEmpty().allSatisfy(row -> assertThat(row).containsEntry("id", bounced.id()));
        Map<String, Object> detail = asAdmin.get("/taskqueue/api/tasks/" + bounced.id() + "?queue=bounces").map();
        assertThat(detail).containsEntry("state", "FAILURE");
        assertThat(list(detail.get("attempts"))).isNotEmpty();
        assertThat(map(detail.get("error"))).containsEntry("type", "java.lang.IllegalStateException");
    }

    @Test
    void retryingADelayedTaskRunsItNowAndADeadOneRequeuesIt() {
        assertThat(browser.getIfAvailable()).as("the Redis QueueBrowser").isNotNull();
        TaskHandle<Void> bounced = client.submit(DashboardTestApplication.Mail::bounce);
        tasks.runPending();
        TaskHandle<String> later = client.withOptions(dev.taskqueue.TaskOptions.defaults()
                .countdown(Duration.ofHours(1))).submit(DashboardTestApplication.Mail::send, "ada@example.com");
        DashboardHttp operator = new DashboardHttp(port, "operator").withCsrf();

        assertThat(list(operator.get("/taskqueue/api/queues/default/tasks?state=scheduled").map().get("items")))
                .extracting(row -> row.get("id")).contains(later.id());
        assertThat(operator.post("/taskqueue/api/tasks/" + later.id() + "/retry").status()).isEqualTo(200);
        assertThat(operator.post("/taskqueue/api/tasks/" + bounced.id() + "/retry?queue=bounces").status())
                .isEqualTo(200);
        assertThat(admin.stats("bounces").dead()).isZero();
        tasks.runPending(); // runs what is due: the task due in an hour is due now
        assertThat(later.get(Duration.ofSeconds(10))).isEqualTo("sent to ada@example.com");
        Reply again = operator.post("/taskqueue/api/tasks/" + later.id() + "/retry");
        assertThat(again.status()).isEqualTo(409);
        assertThat((String) again.map().get("error")).contains("only a scheduled or retrying task can run now");
    }

    @Test
    void aChainAndAGroupAreShownAsGraphsWithEachStepsState() {
        TaskHandle<String> last = client.submit(Workflows.chain(TaskCall.of(DashboardTestApplication.Mail::send,
                "ada@example.com"), TaskCall.of(DashboardTestApplication.Mail::send, "bob@example.com").immutable()));
        GroupHandle<String> group = client.submit(Workflows.group(
                TaskCall.of(DashboardTestApplication.Mail::send, "cy@example.com"),
                TaskCall.of(DashboardTestApplication.Mail::send, "di@example.com")));
        tasks.runPending();
        tasks.runPending(); // the chain's second step, submitted by the first's end
        assertThat(last.get(Duration.ofSeconds(10))).isEqualTo("sent to bob@example.com");

        Map<String, Object> chain = asAdmin.get("/taskqueue/api/workflows/" + last.id()).map();
        assertThat(chain).containsEntry("kind", "chain").containsEntry("id", last.id());
        List<Map<String, Object>> steps = list(chain.get("nodes"));
        assertThat(steps).hasSize(2).allSatisfy(node -> assertThat(node).containsEntry("state", "SUCCESS")
                .containsEntry("task", "mail.send"));
        assertThat(list(chain.get("edges"))).containsExactly(Map.of("from", steps.get(0).get("id"), "to", last.id()));
        assertThat(asAdmin.get("/taskqueue/api/tasks/" + last.id()).map()).containsEntry("workflowId", last.id())
                .containsEntry("parentId", steps.get(0).get("id"));

        Map<String, Object> members = asAdmin.get("/taskqueue/api/workflows/" + group.id()).map();
        assertThat(members).containsEntry("kind", "group");
        assertThat(list(members.get("nodes"))).hasSize(2);
    }

    @Test
    void aChordIsShownWithItsHeaderMembersLeadingToItsBody() {
        TaskHandle<String> body = client.submit(Workflows.chord(Workflows.group(
                TaskCall.of(DashboardTestApplication.Mail::send, "cy@example.com"),
                TaskCall.of(DashboardTestApplication.Mail::send, "di@example.com")),
                TaskCall.of(DashboardTestApplication.Mail::send, "ops@example.com").immutable()));
        tasks.runPending();
        assertThat(body.get(Duration.ofSeconds(10))).isEqualTo("sent to ops@example.com");
        String chordId = (String) asAdmin.get("/taskqueue/api/tasks/" + body.id()).map().get("parentId");

        for (String id : List.of(body.id(), chordId)) {
            Map<String, Object> chord = asAdmin.get("/taskqueue/api/workflows/" + id).map();
            assertThat(chord).containsEntry("kind", "chord");
            List<Map<String, Object>> nodes = list(chord.get("nodes"));
            assertThat(nodes).hasSize(3).allSatisfy(node -> assertThat(node).containsEntry("state", "SUCCESS")
                    .containsEntry("task", "mail.send"));
            assertThat(nodes.get(2)).containsEntry("id", body.id());
            assertThat(list(chord.get("edges"))).containsExactlyInAnyOrder(
                    Map.of("from", nodes.get(0).get("id"), "to", body.id()),
                    Map.of("from", nodes.get(1).get("id"), "to", body.id()));
        }
    }

    // ------------------------------------------------------------------------------------------ rights

    @Test
    void unauthenticatedCallersGet401AndCallersWithoutTheReadAuthority403() {
        assertThat(new DashboardHttp(port, null).get("/taskqueue/api/queues").status()).isEqualTo(401);
        assertThat(new DashboardHttp(port, "stranger").get("/taskqueue/api/queues").status()).isEqualTo(403);
        assertThat(new DashboardHttp(port, "stranger").get("/taskqueue/").status()).isEqualTo(403);
    }

    @Test
    void aReaderReadsButMayNeitherOperateNorAdminister() {
        DashboardHttp reader = new DashboardHttp(port, "reader").withCsrf();

        assertThat(reader.get("/taskqueue/api/queues").status()).isEqualTo(200);
        assertThat(reader.get("/taskqueue/api/me").map()).containsEntry("can", List.of("read"));
        Reply pause = reader.post("/taskqueue/api/queues/default/pause");
        assertThat(pause.status()).isEqualTo(403);
        assertThat((String) pause.map().get("error")).contains("lacks the operate right");
        assertThat(reader.post("/taskqueue/api/queues/default/purge").status()).isEqualTo(403);
        assertThat(reader.delete("/taskqueue/api/queues/default/dead").status()).isEqualTo(403);
        assertThat(admin.stats("default").paused()).isFalse();
    }

    @Test
    void anOperatorOperatesButMayNotAdminister() {
        DashboardHttp operator = new DashboardHttp(port, "operator").withCsrf();

        Reply pause = operator.post("/taskqueue/api/queues/default/pause");
        assertThat(pause.status()).isEqualTo(200);
        assertThat(pause.map()).containsOnlyKeys("action", "target", "count")
                .containsEntry("action", "TASKQUEUE_QUEUE_PAUSED").containsEntry("target", "default")
                .containsEntry("count", 1);
        assertThat(admin.stats("default").paused()).isTrue();
        assertThat(operator.post("/taskqueue/api/queues/default/resume").status()).isEqualTo(200);
        assertThat(operator.post("/taskqueue/api/queues/default/purge").status()).isEqualTo(403);
        assertThat(operator.post("/taskqueue/api/queues/default/dead/retry-all").status()).isEqualTo(403);
    }

    @Test
    void anOperatorDisablesEnablesAndRunsASchedule() {
        DashboardHttp operator = new DashboardHttp(port, "operator").withCsrf();

        assertThat(operator.post("/taskqueue/api/schedules/digest/disable").status()).isEqualTo(200);
        assertThat(operator.get("/taskqueue/api/schedules").list().get(0)).containsEntry("enabled", false);
        assertThat(operator.post("/taskqueue/api/schedules/digest/enable").status()).isEqualTo(200);
        assertThat(operator.get("/taskqueue/api/schedules").list().get(0)).containsEntry("enabled", true);
        Reply run = operator.post("/taskqueue/api/schedules/digest/run");
        assertThat(run.status()).isEqualTo(200);
        assertThat(run.map()).containsEntry("action", "TASKQUEUE_SCHEDULE_RUN").containsEntry("target", "digest");
        assertThat(tasks.submitted("mail.send")).hasSize(1);
        assertThat(operator.post("/taskqueue/api/schedules/nope/run").status()).isEqualTo(404);
    }

    @Test
    void anAdministratorPurges() {
        client.submit(DashboardTestApplication.Mail::send, "ada@example.com");
        DashboardHttp administrator = new DashboardHttp(port, "admin").withCsrf();

        Reply purge = administrator.post("/taskqueue/api/queues/default/purge");

        assertThat(purge.status()).isEqualTo(200);
        assertThat(purge.map()).containsEntry("action", "TASKQUEUE_QUEUE_PURGED").containsEntry("count", 1);
        assertThat(admin.stats("default").pending()).isZero();
    }

    @Test
    void aWriteWithoutTheCsrfTokenIsRefusedByTheApplicationsSecurity() {
        DashboardHttp operator = DashboardHttp.signedIn(port, "operator"); // as a browser: a session, no token sent

        assertThat(operator.get("/taskqueue/api/me").map()).containsEntry("user", "operator");
        assertThat(operator.post("/taskqueue/api/queues/default/pause").status()).isEqualTo(403);
        assertThat(admin.stats("default").paused()).isFalse();
        assertThat(operator.withCsrf().post("/taskqueue/api/queues/default/pause").status()).isEqualTo(200);
        assertThat(new DashboardHttp(port, "operator").post("/taskqueue/api/queues/default/resume").status())
                .as("HTTP basic without a token: refused before authentication").isEqualTo(401);
    }

    // ------------------------------------------------------------------------------------------ audit

    @Test
    void actionsAreAuditedInRedisAndAsSpringBootAuditEvents() {
        DashboardHttp operator = new DashboardHttp(port, "operator").withCsrf();
        operator.post("/taskqueue/api/queues/bounces/pause");
        new DashboardHttp(port, "reader").withCsrf().post("/taskqueue/api/queues/bounces/purge");

        List<Map<String, Object>> entries = list(asAdmin.get("/taskqueue/api/audit?count=2").map().get("items"));

        assertThat(entries).hasSize(2);
        assertThat(entries.get(0)).containsEntry("principal", "reader")
                .containsEntry("action", "TASKQUEUE_QUEUE_PURGED").containsEntry("outcome", "denied");
        assertThat(entries.get(1)).containsEntry("principal", "operator")
                .containsEntry("action", "TASKQUEUE_QUEUE_PAUSED").containsEntry("target", "bounces")
                .containsEntry("count", 1).containsEntry("outcome", "ok").containsKey("at");
        assertThat(auditEvents.events).anySatisfy(event -> {
            assertThat(event.getAuditEvent().getPrincipal()).isEqualTo("operator");
            assertThat(event.getAuditEvent().getType()).isEqualTo("TASKQUEUE_QUEUE_PAUSED");
            assertThat(event.getAuditEvent().getData()).containsEntry("target", "bounces").containsEntry("count", 1L);
        });
        String next = (String) asAdmin.get("/taskqueue/api/audit?count=1").map().get("next");
        assertThat(list(asAdmin.get("/taskqueue/api/audit?count=1&cursor=" + next).map().get("items")).get(0))
                .containsEntry("principal", "operator");
    }

    @Test
    void deadLettersAreListedRetriedAndDeleted() {
        client.submit(DashboardTestApplication.Mail::bounce);
        client.submit(DashboardTestApplication.Mail::bounce);
        tasks.runPending();
        DashboardHttp operator = new DashboardHttp(port, "operator").withCsrf();

        List<Map<String, Object>> dead = list(operator.get("/taskqueue/api/queues/bounces/tasks?state=dead").map()
                .get("items"));
        assertThat(dead).hasSize(2).allSatisfy(row -> assertThat(row).containsEntry("state", "DEAD")
                .containsEntry("name", "mail.bounce").containsKey("deadLetterId"));
        assertThat(map(dead.get(0).get("error"))).containsEntry("type", "java.lang.IllegalStateException");

        Reply retry = operator.post("/taskqueue/api/queues/bounces/dead/" + dead.get(0).get("deadLetterId") + "/retry");
        Reply delete = operator.delete("/taskqueue/api/queues/bounces/dead/" + dead.get(1).get("deadLetterId"));
        Reply again = operator.delete("/taskqueue/api/queues/bounces/dead/" + dead.get(1).get("deadLetterId"));

        assertThat(retry.status()).isEqualTo(200);
        assertThat(delete.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(404);
        assertThat(admin.stats("bounces").pending()).isEqualTo(1);
        assertThat(admin.stats("bounces").dead()).isZero();
    }

    // ------------------------------------------------------------------------------------------ stream

    @Test
    void theStreamSendsAnUpdateWhenATaskIsSubmitted() throws Exception {
        BlockingQueue<String> data = new LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<Stream<String>>> response = asAdmin.client().sendAsync(
                asAdmin.request("/taskqueue/api/stream?view=queues").header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> stream = response.get(10, TimeUnit.SECONDS);
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/event-stream"));
        Thread reader = new Thread(() -> stream.body().filter(line -> line.startsWith("data:"))
                .forEach(line -> data.add(line.substring(5))), "stream-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(pending(data.poll(10, TimeUnit.SECONDS))).isZero();

            client.submit(DashboardTestApplication.Mail::send, "ada@example.com");

            assertThat(pending(data.poll(10, TimeUnit.SECONDS))).isEqualTo(1);
        }
        finally {
            stream.body().close();
        }
    }

    /** The pending count of the default queue in a {@code queues} update. */
    private static long pending(String update) {
        assertThat(update).as("an update within 10 s").isNotNull();
        List<Map<String, Object>> queues = JSON.readValue(update.strip(), List.class);
        return queues.stream().filter(q -> q.get("name").equals("default")).findFirst()
                .map(q -> ((Number) q.get("pending")).longValue()).orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
