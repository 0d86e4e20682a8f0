package dev.taskqueue.dashboard.browser;

import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskQueueOperations;
import dev.taskqueue.TaskState;
import dev.taskqueue.outbox.JdbcOutboxStore;
import dev.taskqueue.outbox.OutboxRelay;
import dev.taskqueue.test.AutoConfigureTaskQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard in headless Chromium, against the running {@link DashboardTestApplication} on a real Redis, as an
 * operator uses it: tasks appear without a reload, a failed task shows its stack (and its sensitive argument
 * masked), a dead letter retried from the page
 * succeeds, a queue pauses and resumes, a reader cannot operate (the server answers 403, not only hidden buttons),
 * and a write without the CSRF token is refused; a row the outbox relay gave up on is shown from the overview's outbox
 * panel and deleted from the page. The last test visits every page and saves a screenshot of each in
 * {@code target/screenshots/} (with {@code -Dtaskqueue.docs.screenshots=true} also in {@code docs/dashboard/}).
 * Without Chromium it is skipped loudly (and fails with {@code CI=true}): see {@link Chromium}.
 */
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "taskqueue.outbox.enabled=true", "spring.datasource.url=jdbc:h2:mem:browser-outbox" })
@AutoConfigureTaskQueue
class DashboardBrowserTest {

    @RegisterExtension
    static final BrowserSession browser = new BrowserSession();

    private static final Duration TASK_DEADLINE = Duration.ofSeconds(20);

    private static final String QUEUE = BrowserTasks.QUEUE;

    /** A card number the dashboard must never show: the task declares it sensitive. */
    private static final String CARD = "4242 4242 4242 4242";

    private static final String QUEUE_ROW = "tr:has(a[href='#/queues/" + QUEUE + "'])";

    @LocalServerPort
    int port;

    @Autowired
    TaskClient tasks;

    @Autowired
    TaskQueueOperations operations;

    @Autowired
    JdbcOutboxStore outbox;

    @Autowired
    OutboxRelay relay;

    @AfterEach
    void releaseTasks() {
        BrowserTasks.failing.set(false);
        BrowserTasks.releaseHeld();
    }

    @AfterAll
    static void copyScreenshotsForTheReadme() throws IOException {
        ReadmeScreenshots.copyIfAsked();
    }

    @Test
    void submittedTasksAppearLiveInAPausedQueueAndRunOnResume() {
        tasks.submit(BrowserTasks::echo, "warm-up").get(TASK_DEADLINE); // the queue exists
        browser.login(dashboard(), TestUsers.OPERATOR, TestUsers.OPERATOR);
        go("#/queues");
        browser.click(QUEUE_ROW + " button[data-action=pause]");
        browser.elementWithText(QUEUE_ROW + " .badge", "paused");

        go("#/queues/" + QUEUE + "?tab=pending");
        browser.element(".tabs a[data-tab=pending][aria-current=page]");
        browser.script("window.tqNotReloaded = true");
        List<TaskHandle<String>> submitted = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            submitted.add(tasks.submit(BrowserTasks::echo, "live-" + i));
        }
        for (TaskHandle<String> handle : submitted) {
            browser.element("tbody a[title='" + handle.id() + "']"); // appears by itself
        }
        assertThat(browser.script("return window.tqNotReloaded === true")).isEqualTo(true);
        assertThat(submitted).allSatisfy((handle) -> assertThat(handle.state()).isEqualTo(TaskState.PENDING));

        browser.click(".page-header button[data-action=resume]");
        for (TaskHandle<String> handle : submitted) {
            assertThat(handle.get(TASK_DEADLINE)).startsWith("echo live-");
        }
        browser.elementWithText("dl.stats .badge", "active");
        browser.elementWithText("tbody tr.empty", "No pending tasks");
        assertThat(browser.script("return window.tqNotReloaded === true")).isEqualTo(true);
    }

    @Test
    void aFailedTaskShowsItsStackAndItsDeadLetterRetriedFromThePageSucceeds() {
        BrowserTasks.failing.set(true);
        String id = deadFlakyTask("order-7");
        browser.login(dashboard(), TestUsers.OPERATOR, TestUsers.OPERATOR);

        go("#/tasks/" + id + "?queue=" + QUEUE);
        browser.click("details.stack-details summary");
        browser.elementWithText("pre.stack", "java.lang.IllegalStateException");
        assertThat(browser.element("pre.stack").text()).contains("flaky order-7: the payment service is down")
                .contains("BrowserTasks.flaky");

        BrowserTasks.failing.set(false);
        go("#/queues/" + QUEUE + "?tab=dead");
        browser.click("tr:has(a[title='" + id + "']) button[data-action=retry]");
        await().atMost(TASK_DEADLINE).untilAsserted(() ->
                assertThat(tasks.handle(QUEUE, id, String.class).state()).isEqualTo(TaskState.SUCCESS));
        browser.awaitAbsent("tr:has(a[title='" + id + "'])"); // gone from the dead letters, live

        go("#/tasks/" + id + "?queue=" + QUEUE);
        browser.elementWithText(".page-header h1 .badge", "success");
        assertThat(browser.element("pre.json").text()).as("the arguments, with the sensitive card number masked")
                .contains("order-7", "******").doesNotContain(CARD);
    }

    @Test
    void aRowTheOutboxRelayGaveUpOnIsFoundFromTheOverviewAndDeleted() {
        outbox.add("{\"v\":99,\"writes\":[]}"); // a format this version cannot read: kept with its error
        relay.wake();
        await().atMost(TASK_DEADLINE).until(() -> outbox.stats().failed() == 1);
        long id = outbox.failed(1).get(0).id();
        browser.login(dashboard(), TestUsers.OPERATOR, TestUsers.OPERATOR);

        go("#/overview");
        browser.click("section[aria-label=Outbox] a[href='#/outbox']");
        browser.elementWithText("main tbody th", String.valueOf(id));
        assertThat(browser.element("main tbody").text()).contains("format 99");
        photograph("outbox", null, "main tbody th");
        browser.click("tr:has(th) button[data-action=delete]");
        browser.click("dialog.confirm[open] button[data-confirm=ok]");
        browser.awaitAbsent("tr:has(button[data-action=delete])");
        assertThat(outbox.stats().failed()).isZero();
    }

    @Test
    void aReaderCannotOperateAndWritesWithoutTheCsrfTokenAreRefused() {
        tasks.submit(BrowserTasks::echo, "warm-up").get(TASK_DEADLINE);
        String pause = "/taskqueue/api/queues/" + QUEUE + "/pause";
        String resume = "/taskqueue/api/queues/" + QUEUE + "/resume";

        browser.login(dashboard(), TestUsers.READER, TestUsers.READER);
        go("#/queues");
        browser.element(QUEUE_ROW);
        assertThat(browser.all("button[data-action]")).as("actions offered to a reader").isEmpty();
        assertThat(browser.fetchStatus("POST", pause, true)).as("a reader's pause").isEqualTo(403);

        browser.login(dashboard(), TestUsers.OPERATOR, TestUsers.OPERATOR);
        go("#/queues/" + QUEUE);
        browser.element(".page-header button[data-action=pause]");
        assertThat(browser.all("button[data-action=purge]")).as("admin actions offered to an operator").isEmpty();
        assertThat(browser.fetchStatus("POST", "/taskqueue/api/queues/" + QUEUE + "/purge", true))
                .as("an operator's purge").isEqualTo(403);
        assertThat(browser.fetchStatus("POST", pause, false)).as("a pause without the CSRF token").isEqualTo(403);
        assertThat(browser.fetchStatus("POST", pause, true)).as("a pause with the CSRF token").isEqualTo(200);
        assertThat(browser.fetchStatus("POST", resume, true)).as("a resume with the CSRF token").isEqualTo(200);
    }

    @Test
    void everyPageRendersAndIsPhotographed() {
        browser.login(dashboard(), TestUsers.ADMIN, TestUsers.ADMIN);
        Scene scene = stageAScene();

        go("#/overview");
        // Workers add to the history every few seconds; the page follows live.
        browser.await("the history to count the tasks", () -> !browser.element("figure.chart .chart-note").text()
                .startsWith("0 "));
        photograph("overview", null, "figure.chart svg");
        photograph("queues", "#/queues", QUEUE_ROW);
        photograph("queue", "#/queues/" + QUEUE + "?tab=scheduled", "tbody a[title='" + scene.scheduled + "']");
        photograph("queue-dead", "#/queues/" + QUEUE + "?tab=dead", "tbody a[title='" + scene.dead + "']");
        go("#/tasks/" + scene.dead + "?queue=" + QUEUE);
        browser.click("details.stack-details summary");
        photograph("task", null, "pre.stack");
        go("#/tasks/" + scene.chord + "?queue=" + QUEUE);
        browser.click("a[href^='#/workflows/']");
        photograph("workflow", null, "svg.workflow a.node");
        photograph("workers", "#/workers", "ul.running a[title]");
        browser.elementWithText("ul.running", "browser.held");
        photograph("schedules", "#/schedules", "td button[data-action=run-now], td .badge");
        browser.elementWithText("tbody", "browser.report");
        photograph("catalog", "#/catalog", "tbody code");
        browser.elementWithText("tbody", "browser.flaky");
        photograph("failures", "#/failures", "tbody a[title='" + scene.dead + "']");
        photograph("audit", "#/audit", "tbody tr:not(.empty)");

        // The failure search narrows by error type; the id search opens the task.
        go("#/failures");
        browser.element("input[name=error]").sendKeys("NoSuchThing\uE007");
        browser.elementWithText("tbody tr.empty", "No failures match");
        assertThat(browser.driver().currentUrl()).endsWith("#/failures?error=NoSuchThing");
        browser.element("#search").sendKeys(scene.dead + "\uE007");
        browser.await("the searched task's page", () -> browser.driver().currentUrl().contains("#/tasks/"));
        browser.element("pre.json");

        // Keyboard: "/" focuses the search, "g" then "q" opens the queues.
        browser.click("main h1");
        browser.driver().pressKeys("/");
        assertThat(browser.script("return document.activeElement.id")).isEqualTo("search");
        browser.script("document.activeElement.blur()");
        browser.driver().pressKeys("gq");
        browser.await("the queues page after g q", () -> browser.driver().currentUrl().endsWith("#/queues"));

        // Dark theme: the toggle, remembered over a reload.
        go("#/overview");
        browser.element("figure.chart svg");
        browser.click("#theme-toggle");
        browser.element("html[data-theme=dark]");
        browser.reload();
        browser.element("html[data-theme=dark]");
        photograph("overview-dark", null, "figure.chart svg");
        browser.click("#theme-toggle");
        browser.element("html[data-theme=light]");
    }

    /** What the screenshots show: finished, failed, scheduled and running tasks, a chord, an operator's actions. */
    private record Scene(String dead, String scheduled, String chord) {
    }

    private Scene stageAScene() {
        for (int i = 0; i < 12; i++) {
            tasks.submit(BrowserTasks::echo, "order-" + i);
            tasks.submit(BrowserTasks::resize, "img-" + i, 5 + (i % 4) * 60 + (i % 3 == 0 ? 1100 : 0));
        }
        BrowserTasks.failing.set(true);
        String dead = deadFlakyTask("order-42");
        deadFlakyTask("order-43");
        BrowserTasks.failing.set(false);
        String scheduled = tasks.withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))
                .submit(BrowserTasks::echo, "tomorrow").id();
        TaskHandle<String> chord = tasks.submit(chord(group(List.of(TaskCall.of(BrowserTasks::echo, "img-1"),
                TaskCall.of(BrowserTasks::echo, "img-2"), TaskCall.of(BrowserTasks::echo, "img-3"))),
                TaskCall.partial(BrowserTasks::join)));
        chord.get(TASK_DEADLINE);
        tasks.submit(BrowserTasks::held, "report-1");
        tasks.submit(BrowserTasks::held, "report-2");
        // An operator's actions, from the page, so that the audit shows who did them.
        go("#/queues/" + QUEUE);
        browser.click(".page-header button[data-action=pause]");
        browser.click(".page-header button[data-action=resume]");
        return new Scene(dead, scheduled, chord.id());
    }

    private String deadFlakyTask(String order) {
        TaskHandle<String> handle = tasks.submit(BrowserTasks::flaky, order, CARD);
        await().atMost(TASK_DEADLINE).until(() -> operations.deadLetters(QUEUE, null, 100).stream()
                .anyMatch((letter) -> letter.taskId().equals(handle.id())));
        return handle.id();
    }

    /**
     * Opens a page (or stays, when hash is null), waits until it shows {@code ready}, checks it shows no error and
     * that its controls and tables are named for screen readers, and saves a screenshot.
     */
    private void photograph(String name, @Nullable String hash, String ready) {
        if (hash != null) {
            go(hash);
        }
        browser.element(ready);
        browser.await("the live updates to connect", () -> !"connecting".equals(
                browser.script("return document.querySelector('.live').dataset.mode")));
        assertThat(browser.all(".banner:not([hidden])")).as("an error banner on " + name).isEmpty();
        assertThat(browser.script("""
                return [...document.querySelectorAll('button, a[href]')].filter((e) => !(e.textContent.trim()
                    || e.getAttribute('aria-label') || e.title)).map((e) => e.outerHTML)""")).as(
                "buttons and links without an accessible name on " + name).asList().isEmpty();
        assertThat(browser.all("main table:not(:has(caption))")).as("tables without a caption on " + name).isEmpty();
        browser.script("window.scrollTo(0, 0); document.querySelector('.toast').hidden = true");
        browser.screenshot(name);
    }

    /** Moves to a route of the page already open, as a click on a link would: no reload. */
    private void go(String hash) {
        browser.script("location.hash = arguments[0]", hash);
        browser.element("body.ready main h1");
    }

    private String dashboard() {
        return "http://127.0.0.1:" + port + "/taskqueue/";
    }
}
