package dev.taskqueue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.taskqueue.RetryPolicy;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.Attempt;
import dev.taskqueue.broker.BrowsedTask;
import dev.taskqueue.broker.FailureFilter;
import dev.taskqueue.broker.QueueStats;
import dev.taskqueue.broker.QueueBrowser.Listing;
import dev.taskqueue.broker.QueueBrowser.Page;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import dev.taskqueue.worker.Worker;
import org.junit.jupiter.api.Test;

/** The dashboard's reads of a queue's tasks, page by page, on a real Redis ({@link RedisQueueBrowser}). */
class QueueBrowserTest {

    private static final String QUEUE = "default";

    private static final TaskOptions IN_AN_HOUR = TaskOptions.defaults().countdown(Duration.ofHours(1));

    private static final TaskOptions RETRY_IN_AN_HOUR = TaskOptions.defaults()
            .retry(RetryPolicy.maxRetries(5).withDelay(Duration.ofHours(1)));

    @Test
    void pendingTasksPageInClaimOrderAndTheRunningOneIsListedWithItsWorker() {
        TestTasks tasks = new TestTasks();
        tasks.gate = new CountDownLatch(1);
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            Worker worker = tq.startWorker(s -> s.concurrency(1));
            TaskHandle<String> running = tq.client.submit(TestTasks::gated, "running");
            await().atMost(Duration.ofSeconds(5)).until(() -> running.state() == TaskState.STARTED);
            List<String> expected = new ArrayList<>();
            List<String> low = new ArrayList<>();
            Instant submitting = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            for (int i = 0; i < 7; i++) {
                TaskHandle<String> h = tq.client.withOptions(TaskOptions.defaults().priority(i % 2 == 0 ? 5 : 0))
                        .submit(TestTasks::echo, "v" + i);
                (i % 2 == 0 ? expected : low).add(h.id());
            }
            expected.addAll(low); // priority 5 first, then 0; each oldest first

            List<BrowsedTask> listed = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Page page = tq.stores.browser().tasks(QUEUE, Listing.PENDING, cursor, 3);
                listed.addAll(page.tasks());
                cursor = page.next();
                pages++;
            }
            while (cursor != null && pages < 10);

            assertThat(listed).extracting(BrowsedTask::id).containsExactlyElementsOf(expected);
            assertThat(pages).isEqualTo(3);
            BrowsedTask first = listed.get(0);
            assertThat(first.name()).isEqualTo("test.echo");
            assertThat(first.state()).isEqualTo("PENDING");
            assertThat(first.argumentsJson()).isEqualTo("[\"v0\"]");
            assertThat(first.submittedAt()).isBetween(submitting, Instant.now());

            Page runningPage = tq.stores.browser().tasks(QUEUE, Listing.RUNNING, null, 10);
            assertThat(runningPage.tasks()).extracting(BrowsedTask::id, BrowsedTask::state, BrowsedTask::worker)
                    .containsExactly(tuple(running.id(), "STARTED", worker.id()));
            assertThat(runningPage.next()).isNull();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(tq.stores.browser().running())
                    .containsKey(worker.id())
                    .extractingByKey(worker.id()).satisfies(now -> assertThat(now).extracting(BrowsedTask::id,
                            BrowsedTask::name, BrowsedTask::queue).containsExactly(tuple(running.id(), "test.gated",
                                    QUEUE))));
            tasks.gate.countDown();
        }
    }

    @Test
    void scheduledAndRetryingTasksAreListedApartAndRunNowMakesARetryDue() {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker();
            List<String> scheduled = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                scheduled.add(tq.client.withOptions(IN_AN_HOUR.countdown(Duration.ofMinutes(60 + i)))
                        .submit(TestTasks::echo, "later-" + i).id());
            }
            TaskHandle<String> failing = tq.client.withOptions(RETRY_IN_AN_HOUR).submit(TestTasks::fail, "boom");
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.state() == TaskState.RETRY);

            List<BrowsedTask> listed = new ArrayList<>();
            String cursor = null;
            for (int pages = 0; pages < 10; pages++) {
                Page page = tq.stores.browser().tasks(QUEUE, Listing.SCHEDULED, cursor, 2);
                listed.addAll(page.tasks());
                cursor = page.next();
                if (cursor == null) {
                    break;
                }
            }
            assertThat(listed).extracting(BrowsedTask::id).containsExactlyElementsOf(scheduled);
            assertThat(listed.get(0).dueAt()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));

            Page retrying = tq.stores.browser().tasks(QUEUE, Listing.RETRYING, null, 10);
            assertThat(retrying.tasks()).singleElement().satisfies(t -> {
                assertThat(t.id()).isEqualTo(failing.id());
                assertThat(t.state()).isEqualTo("RETRY");
                assertThat(t.attempt()).isEqualTo(1);
                assertThat(t.error().type()).isEqualTo(IllegalStateException.class.getName());
                assertThat(t.error().message()).isEqualTo("boom");
                assertThat(t.argumentsJson()).isEqualTo("[\"boom\"]");
            });

            assertThat(tq.stores.browser().runNow(QUEUE, failing.id())).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("fail:boom") == 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.info().attempt() == 2
                    && failing.state() == TaskState.RETRY);
            assertThat(tq.stores.browser().runNow(QUEUE, "not-delayed")).isFalse();

            List<Attempt> attempts = tq.stores.browser().attempts(QUEUE, failing.id());
            assertThat(attempts).extracting(Attempt::attempt, Attempt::state).containsExactly(tuple(1, "RETRY"),
                    tuple(2, "RETRY"));
            assertThat(attempts.get(0).error().stackTrace()).contains("IllegalStateException: boom");
            assertThat(attempts.get(0).worker()).isNotNull();
            assertThat(attempts.get(0).finishedAt()).isNotNull();
        }
    }

    @Test
    void aQueueCountsItsRetryingTasksAmongItsScheduledOnesAndARevokedRetryLeavesBoth() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            tq.startWorker();
            for (int i = 0; i < 2; i++) {
                tq.client.withOptions(IN_AN_HOUR).submit(TestTasks::echo, "later-" + i);
            }
            TaskHandle<String> first = tq.client.withOptions(RETRY_IN_AN_HOUR).submit(TestTasks::fail, "one");
            TaskHandle<String> second = tq.client.withOptions(RETRY_IN_AN_HOUR).submit(TestTasks::fail, "two");
            await().atMost(Duration.ofSeconds(5)).until(() -> first.state() == TaskState.RETRY
                    && second.state() == TaskState.RETRY);

            QueueStats stats = tq.admin.stats(QUEUE);
            assertThat(List.of(stats.scheduled(), stats.retrying(), stats.scheduledOnly())).containsExactly(4L, 2L, 2L);

            assertThat(tq.admin.revoke(QUEUE, first.id(), "not needed", false)).isTrue();

            QueueStats after = tq.admin.stats(QUEUE);
            assertThat(List.of(after.scheduled(), after.retrying(), after.scheduledOnly())).containsExactly(3L, 1L, 2L);
        }
    }

    @Test
    void aTaskShowsItsHeadersAndWorkflowWaitingAndOnceItFinished() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            TaskHandle<String> plain = tq.client.withOptions(TaskOptions.defaults().header("x-tenant", "acme"))
                    .submit(TestTasks::echo, "plain");
            TaskHandle<String> last = tq.client.submit(dev.taskqueue.Workflows.chain(
                    dev.taskqueue.TaskCall.of(TestTasks::echo, "a").withOptions(TaskOptions.defaults()
                            .taskId("step-1").header("traceparent", "00-" + "a".repeat(32) + "-" + "b".repeat(16)
                                    + "-01")),
                    dev.taskqueue.TaskCall.of(TestTasks::echo, "b").immutable()));

            BrowsedTask.Context waiting = tq.stores.browser().find(QUEUE, plain.id()).context();
            BrowsedTask.Context firstWaiting = tq.stores.browser().find(QUEUE, "step-1").context();
            assertThat(waiting.headers()).containsEntry("x-tenant", "acme");
            assertThat(firstWaiting.children()).containsExactly(last.id());
            assertThat(firstWaiting.headers()).containsKey("traceparent");

            tq.startWorker();
            assertThat(last.get(Duration.ofSeconds(5))).isEqualTo("b");
            assertThat(plain.get(Duration.ofSeconds(5))).isEqualTo("plain");

            assertThat(tq.stores.browser().find(QUEUE, plain.id()).context().headers())
                    .as("kept in the record").containsEntry("x-tenant", "acme");
            BrowsedTask.Context first = tq.stores.browser().find(QUEUE, "step-1").context();
            assertThat(first.children()).containsExactly(last.id());
            assertThat(first.headers()).containsKey("traceparent");
            BrowsedTask.Context second = tq.stores.browser().find(QUEUE, last.id()).context();
            assertThat(second.parentId()).isEqualTo("step-1");
            assertThat(second.rootId()).isEqualTo("step-1");
            assertThat(second.children()).isEmpty();
        }
    }

    @Test
    void tasksDueAtTheSameMomentPageWithoutRepeatsOrGaps() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            Instant eta = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                ids.add(tq.client.withOptions(TaskOptions.defaults().eta(eta)).submit(TestTasks::echo, "same-" + i)
                        .id());
            }
            List<String> listed = new ArrayList<>();
            String cursor = null;
            for (int pages = 0; pages < 10; pages++) {
                Page page = tq.stores.browser().tasks(QUEUE, Listing.SCHEDULED, cursor, 3);
                page.tasks().forEach(t -> listed.add(t.id()));
                cursor = page.next();
                if (cursor == null) {
                    break;
                }
            }
            assertThat(listed).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
            assertThat(tq.stores.browser().tasks(QUEUE, Listing.RETRYING, null, 3).tasks()).isEmpty();
        }
    }

    @Test
    void resultsListTheFinishedTasksNewestFirstWithTheirAttempt() throws Exception {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            tq.startWorker();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TaskHandle<String> h = tq.client.submit(TestTasks::echo, "r" + i);
                h.get(Duration.ofSeconds(5));
                ids.add(0, h.id());
            }
            Page first = tq.stores.browser().tasks(QUEUE, Listing.RESULTS, null, 2);
            Page second = tq.stores.browser().tasks(QUEUE, Listing.RESULTS, first.next(), 2);

            assertThat(first.tasks()).extracting(BrowsedTask::id).containsExactlyElementsOf(ids.subList(0, 2));
            assertThat(second.tasks()).extracting(BrowsedTask::id).containsExactly(ids.get(2));
            assertThat(second.next()).isNull();
            assertThat(first.tasks().get(0)).satisfies(t -> {
                assertThat(t.state()).isEqualTo("SUCCESS");
                assertThat(t.name()).isEqualTo("test.echo");
                assertThat(t.finishedAt()).isNotNull();
                assertThat(t.argumentsJson()).isEqualTo("[\"r2\"]");
            });
            assertThat(tq.stores.browser().attempts(QUEUE, ids.get(0))).extracting(Attempt::attempt,
                    Attempt::state).containsExactly(tuple(1, "SUCCESS"));
        }
    }

    /**
     * An entry of {@code {q}:done} lists what one script finished, oldest first: pages run through entries and
     * within them, newest first; an entry as older writers left it (one task) is listed too, and a cursor of an
     * entry's id alone resumes after that entry.
     */
    @Test
    void resultsPageWithinTheEntriesThatListMoreThanOneTask() {
        try (TaskQueueFixture tq = new TaskQueueFixture(new TestTasks())) {
            var redis = SharedRedis.admin().sync();
            String done = "{taskqueue:" + QUEUE + "}:done";
            String older = redis.xadd(done, "t", """
                    [["a", "b", "c"], ["t.a", "t.b", "t.c"], ["SUCCESS", "FAILURE", "SUCCESS"]]""");
            redis.xadd(done, "i", "d", "n", "t.d", "s", "REVOKED");
            redis.xadd(done, "t", "not json");
            redis.xadd(done, "t", """
                    [["e", "f"], ["t.e", "t.f"], ["SUCCESS", "SUCCESS"]]""");

            List<List<String>> pages = new ArrayList<>();
            List<String> cursors = new ArrayList<>();
            String cursor = null;
            do {
                Page page = tq.stores.browser().tasks(QUEUE, Listing.RESULTS, cursor, 2);
                pages.add(page.tasks().stream().map(BrowsedTask::id).toList());
                cursor = page.next();
                cursors.add(cursor);
            }
            while (cursor != null && pages.size() < 10);

            assertThat(pages).containsExactly(List.of("f", "e"), List.of("d", "c"), List.of("b", "a"));
            assertThat(cursors.get(1)).isEqualTo(older + "/1");
            assertThat(tq.stores.browser().tasks(QUEUE, Listing.RESULTS, null, 4).tasks())
                    .extracting(BrowsedTask::id, BrowsedTask::name, BrowsedTask::state)
                    .containsExactly(tuple("f", "t.f", "SUCCESS"), tuple("e", "t.e", "SUCCESS"),
                            tuple("d", "t.d", "REVOKED"), tuple("c", "t.c", "SUCCESS"));
            assertThat(tq.stores.browser().tasks(QUEUE, Listing.RESULTS, cursors.get(0), 9).tasks())
                    .extracting(BrowsedTask::id).containsExactly("d", "c", "b", "a");
        }
    }

    @Test
    void aTaskIsFoundByIdWhereverItWaits() throws Exception {
        TestTasks tasks = new TestTasks();
        tasks.gate = new CountDownLatch(1);
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            TaskHandle<String> pendingBeforeWorker = tq.client.submit(TestTasks::echo, "first");
            tq.startWorker(s -> s.concurrency(1));
            TaskHandle<String> done = pendingBeforeWorker;
            done.get(Duration.ofSeconds(5));
            TaskHandle<String> running = tq.client.submit(TestTasks::gated, "running");
            await().atMost(Duration.ofSeconds(5)).until(() -> running.state() == TaskState.STARTED);
            TaskHandle<String> pending = tq.client.submit(TestTasks::echo, "waiting");
            TaskHandle<String> chosen = tq.client.withOptions(TaskOptions.defaults().taskId("order-7"))
                    .submit(TestTasks::echo, "chosen");
            TaskHandle<String> later = tq.client.withOptions(IN_AN_HOUR).submit(TestTasks::echo, "later");

            assertThat(tq.stores.browser().find(null, pending.id())).satisfies(t -> {
                assertThat(t.state()).isEqualTo("PENDING");
                assertThat(t.name()).isEqualTo("test.echo");
                assertThat(t.argumentsJson()).isEqualTo("[\"waiting\"]");
            });
            assertThat(tq.stores.browser().find(QUEUE, chosen.id())).extracting(BrowsedTask::state,
                    BrowsedTask::argumentsJson).containsExactly("PENDING", "[\"chosen\"]");
            assertThat(tq.stores.browser().find(null, later.id())).extracting(BrowsedTask::state)
                    .isEqualTo("SCHEDULED");
            assertThat(tq.stores.browser().find(null, running.id())).extracting(BrowsedTask::state,
                    BrowsedTask::name).containsExactly("STARTED", "test.gated");
            assertThat(tq.stores.browser().find(null, done.id())).extracting(BrowsedTask::state)
                    .isEqualTo("SUCCESS");
            assertThat(tq.stores.browser().find(null, "0190a3b2-0000-7000-8000-000000000000")).isNull();
            assertThat(tq.stores.browser().find(QUEUE, "unknown")).isNull();
            tasks.gate.countDown();
        }
    }

    @Test
    void failuresOfEveryQueueAreListedNewestFirstAndFiltered() throws Exception {
        TestTasks tasks = new TestTasks();
        try (TaskQueueFixture tq = new TaskQueueFixture(tasks)) {
            tq.startWorker(s -> s.queue(QUEUE).queue("other"));
            List<String> newestFirst = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                TaskOptions options = TaskOptions.defaults().queue(i % 2 == 0 ? QUEUE : "other");
                TaskHandle<String> h = tq.client.withOptions(options).submit(TestTasks::fail, "broken " + i);
                await().atMost(Duration.ofSeconds(5)).until(() -> h.state() == TaskState.FAILURE);
                newestFirst.add(0, h.id());
            }
            TaskHandle<String> retried = tq.client.withOptions(RETRY_IN_AN_HOUR).submit(TestTasks::fail, "again");
            await().atMost(Duration.ofSeconds(5)).until(() -> retried.state() == TaskState.RETRY);
            newestFirst.add(0, retried.id());

            List<BrowsedTask> listed = new ArrayList<>();
            String cursor = null;
            for (int pages = 0; pages < 10; pages++) {
                Page page = tq.stores.browser().failures(FailureFilter.ALL, cursor, 3);
                listed.addAll(page.tasks());
                cursor = page.next();
                if (cursor == null) {
                    break;
                }
            }
            assertThat(listed).extracting(BrowsedTask::id).containsExactlyElementsOf(newestFirst);
            assertThat(listed.get(0)).extracting(BrowsedTask::state, BrowsedTask::deadLetterId).containsExactly(
                    "RETRY", null);
            assertThat(listed.get(1)).satisfies(t -> {
                assertThat(t.state()).isEqualTo("FAILURE");
                assertThat(t.queue()).isEqualTo("other");
                assertThat(t.deadLetterId()).isNotNull();
                assertThat(t.error().message()).isEqualTo("broken 5");
                assertThat(t.name()).isEqualTo("test.fail");
                // the task itself, found by id, names its dead letter too (to requeue it), until it is requeued
                assertThat(tq.stores.browser().find(null, t.id()).deadLetterId()).isEqualTo(t.deadLetterId());
                assertThat(tq.admin.requeueDeadLetter("other", t.deadLetterId(), t.id(), null, 0)).isTrue();
                await().atMost(Duration.ofSeconds(5)).until(() -> tasks.runsOf("fail:broken 5") == 2);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(tq.stores.browser()
                        .find("other", t.id()).deadLetterId()).isNotNull().isNotEqualTo(t.deadLetterId()));
            });

            assertThat(tq.stores.browser().failures(new FailureFilter(null, null, null, "BROKEN 3"), null, 10)
                    .tasks()).extracting(BrowsedTask::id).containsExactly(newestFirst.get(3));
            assertThat(tq.stores.browser().failures(new FailureFilter("other", "FAIL", "illegalstate", null), null,
                    10).tasks()).hasSize(4).allSatisfy(t -> assertThat(t.queue()).isEqualTo("other")); // one requeued
            assertThat(tq.stores.browser().failures(new FailureFilter(null, "test.echo", null, null), null, 10)
                    .tasks()).isEmpty();
        }
    }
}
