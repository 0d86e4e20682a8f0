package dev.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.taskqueue.ChordStatus;
import dev.taskqueue.DeadLetter;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.DeadLetterRead;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.ScheduleStore;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.event.TaskEvent;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.redis.RedisEventLog;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import dev.taskqueue.testing.TestTasks;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile or broken data never stalls the fleet: each malformed shape of what workers read is written straight into
 * a real Redis, and the tasks around it still run once, a dead worker's tasks still come back, delayed tasks of its
 * queue and of the next queues still run, and the bad entry ends, alone, in its queue's dead letters with a reason.
 */
@Timeout(120)
class HostileDataTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String READY = "{taskqueue:default}:s:0";

    private final TestTasks tasks = new TestTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(new ClientSettings("default", 4096,
            Duration.ofHours(1)), tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();
    private final List<TaskEventListener.Execution> quarantined = new CopyOnWriteArrayList<>();

    HostileDataTest() {
        tq.listeners.add(new TaskEventListener() {
            @Override
            public void finished(Execution execution) {
                if (execution.outcome() == Outcome.QUARANTINED) {
                    quarantined.add(execution);
                }
            }
        });
    }

    @AfterEach
    void close() {
        tq.close();
    }

    @Test
    void malformedStreamEntriesAreQuarantinedAloneAndTheTasksClaimedWithThemRun() {
        List<String> valid = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            valid.add("ok-" + i);
        }
        submit("ok-1", "ok-2");
        String abc = hostile("bad-abc", Map.of("d", "abc"));
        submit("ok-3");
        String oneX = hostile("bad-1x", Map.of("d", "1x"));
        String negative = hostile("bad-negative", Map.of("d", "-5"));
        submit("ok-4");
        String noId = hostile("bad-no-id", Map.of("i", ""));
        String noBody = hostile("bad-no-body", Map.of("m", ""));
        String huge = hostile("bad-huge", Map.of("d", "99999999999"));
        submit("ok-5", "ok-6");

        tq.startWorker(s -> s.concurrency(32)); // one claim takes them all

        await().atMost(WAIT).until(() -> valid.stream().allMatch(v -> tasks.runsOf(v) == 1)
                && deadLetters("default").size() == 6);
        assertThat(letterOf("bad-abc", abc).reason()).contains("delivery count").contains("'abc'");
        assertThat(letterOf("bad-1x", oneX).reason()).contains("delivery count").contains("'1x'");
        assertThat(letterOf("bad-negative", negative).reason()).contains("delivery count").contains("'-5'");
        assertThat(letterOf("bad-no-id", noId).reason()).contains("no task id");
        assertThat(letterOf("bad-no-id", noId).taskId()).isEmpty();
        assertThat(letterOf("bad-no-body", noBody).reason()).contains("no message");
        assertThat(letterOf("bad-no-body", noBody).message()).isEmpty();
        // A huge count is clamped: max-deliveries applies, and the dead letter reads back.
        assertThat(letterOf("bad-huge", huge).reason()).contains("delivered 1000000000 times");
        assertThat(letterOf("bad-huge", huge).deliveries()).as("the clamped count and this delivery")
                .isEqualTo(1_000_000_001);
        for (String bad : List.of("bad-abc", "bad-1x", "bad-negative", "bad-no-id", "bad-no-body", "bad-huge")) {
            assertThat(tasks.runsOf(bad)).as(bad).isZero();
        }
        assertThat(quarantined).hasSize(5).allSatisfy(e -> assertThat(e.queue()).isEqualTo("default"));
        assertThat(redis.xlen(READY)).as("nothing left behind").isZero();
        valid.forEach(v -> assertThat(tasks.runsOf(v)).as(v).isEqualTo(1));
    }

    @Test
    void deadWorkersTasksComeBackAroundAMalformedEntryAndItIsQuarantined() {
        // Two workers died: the first held a valid task and entries with a bad and a huge count, the second one task.
        submit("held-1");
        hostile("held-bad", Map.of("d", "abc"));
        hostile("held-huge", Map.of("d", "99999999999"));
        claimAs("ghost-1", 3);
        submit("held-2");
        claimAs("ghost-2", 1);
        redis.zadd("{taskqueue}:workers", 1, "ghost-1");
        redis.zadd("{taskqueue}:workers", 2, "ghost-2");
        redis.sadd("{taskqueue}:queues", "default");

        tq.startWorker();

        await().atMost(WAIT).until(() -> tasks.runsOf("held-1") == 1 && tasks.runsOf("held-2") == 1
                && deadLetters("default").size() == 2);
        List<DeadLetter> dead = deadLetters("default");
        assertThat(dead).extracting(DeadLetter::reason).anySatisfy(r -> assertThat(r).contains("delivery count")
                .contains("'abc'")).anySatisfy(r -> assertThat(r).contains("delivered 1000000000 times"));
        assertThat(tasks.runsOf("held-bad")).isZero();
        assertThat(tasks.runsOf("held-huge")).isZero();
        assertThat(redis.zrange("{taskqueue}:workers", 0, -1)).doesNotContain("ghost-1", "ghost-2");
    }

    @Test
    void malformedDelayedTasksAreQuarantinedAndDelayedTasksOfTheirQueueAndTheNextQueuesRun() {
        long now = System.currentTimeMillis();
        redis.hset("{taskqueue:default}:dp", "bad-empty", "");
        redis.zadd("{taskqueue:default}:d", now, "bad-empty");
        redis.hset("{taskqueue:default}:dp", "bad-letter", "x{\"task\":\"test.echo\"}");
        redis.zadd("{taskqueue:default}:d", now, "bad-letter");
        redis.zadd("{taskqueue:default}:d", now, "bad-no-payload");
        TaskOptions soon = TaskOptions.defaults().countdown(Duration.ofMillis(300));
        tq.client.withOptions(soon).submit(TestTasks::echo, "later-default");
        tq.client.withOptions(soon).submit(TestTasks::thumbnail, "later-images", 10);
        tq.client.withOptions(soon).submit(TestTasks::urgent, "later-urgent");

        tq.startWorker(s -> s.queue("default").queue("images").queue("urgent"));

        await().atMost(WAIT).until(() -> tasks.runsOf("later-default") == 1
                && tasks.runsOf("thumbnail:later-images") == 1 && tasks.runsOf("later-urgent") == 1
                && deadLetters("default").size() == 3);
        Map<String, String> reasons = new LinkedHashMap<>();
        deadLetters("default").forEach(d -> reasons.put(d.taskId(), d.reason()));
        assertThat(reasons.get("bad-empty")).contains("delayed").contains("empty");
        assertThat(reasons.get("bad-letter")).contains("delayed").contains("priority digit");
        assertThat(reasons.get("bad-no-payload")).contains("delayed").contains("no payload");
        assertThat(deadLetters("default")).filteredOn(d -> d.taskId().equals("bad-letter"))
                .extracting(DeadLetter::message).containsExactly("x{\"task\":\"test.echo\"}");
        assertThat(redis.zcard("{taskqueue:default}:d")).isZero();
        assertThat(redis.hlen("{taskqueue:default}:dp")).isZero();
        assertThat(quarantined).extracting(TaskEventListener.Execution::taskId)
                .containsExactlyInAnyOrder("bad-empty", "bad-letter", "bad-no-payload");
    }

    @Test
    void aLoopThatKeepsFailingOnWhatItReadsIsReportedAsAProblemAndTheOtherQueuesGoOn() {
        redis.set("{taskqueue:default}:d", "not a sorted set"); // every promotion of 'default' fails
        TaskOptions soon = TaskOptions.defaults().countdown(Duration.ofMillis(300));
        tq.client.withOptions(soon).submit(TestTasks::thumbnail, "later-images", 10);
        tq.client.withOptions(soon).submit(TestTasks::urgent, "later-urgent");

        Worker worker = tq.startWorker(s -> s.queue("default").queue("images").queue("urgent"));

        await().atMost(WAIT).until(() -> tasks.runsOf("thumbnail:later-images") == 1
                && tasks.runsOf("later-urgent") == 1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(worker.problems())
                .containsOnlyKeys("promote the delayed tasks of queue 'default'")
                .hasValueSatisfying(new org.assertj.core.api.Condition<>(v -> v.contains("WRONGTYPE")
                        && v.startsWith("failing since"), "the error, since when")));

        redis.del("{taskqueue:default}:d"); // mended
        await().atMost(WAIT).until(() -> worker.problems().isEmpty());
    }

    @Test
    void aWorkerInfoHashWithGarbageIsListedWithWhatCanBeRead() {
        redis.hset("{taskqueue}:worker:ghost", Map.of("host", "h1", "pid", "abc", "concurrency", "1x",
                "started", "-5", "queues", "default", "state", "RUNNING"));
        redis.zadd("{taskqueue}:workers", System.currentTimeMillis(), "ghost");
        Worker worker = tq.startWorker();

        assertThat(tq.admin.workers()).extracting(WorkerInfo::id).containsExactlyInAnyOrder("ghost", worker.id());
        WorkerInfo ghost = tq.admin.workers().stream().filter(w -> w.id().equals("ghost")).findFirst().orElseThrow();
        assertThat(ghost.host()).isEqualTo("h1");
        assertThat(ghost.pid()).isZero();
        assertThat(ghost.concurrency()).isZero();
        assertThat(ghost.queues()).containsExactly("default");
    }

    @Test
    void aScheduleHashWithGarbageReadsAsUnsetAndItsNextTickIsRecordedOverIt() {
        redis.hset("{taskqueue}:schedule:nightly", Map.of("last", "abc", "enabled", "maybe"));
        redis.hset("{taskqueue}:schedule:hourly", Map.of("last", "1000", "enabled", "0"));

        Map<String, ScheduleStore.ScheduleState> states = tq.schedules.scheduleStates(List.of("nightly", "hourly"));

        assertThat(states.get("nightly")).isEqualTo(new ScheduleStore.ScheduleState(null, null));
        assertThat(states.get("hourly")).isEqualTo(new ScheduleStore.ScheduleState(1000L, false));
        tq.schedules.recordFire("nightly", 5000, 60_000);
        assertThat(redis.hget("{taskqueue}:schedule:nightly", "last")).isEqualTo("5000");
    }

    @Test
    void garbageInCountersTimesRecordsEventsAndDeadLettersCostsOnlyItself() {
        // A queue's throughput ring and a rate limiter's next free time.
        redis.hset("{taskqueue:default}:throughput", Map.of("5", "garbage", "6", "x:y"));
        assertThat(tq.admin.stats("default").pending()).isZero();
        redis.set("{taskqueue:default}:rate:test.echo", "soon");
        assertThat(tq.broker.takeRateSlot(new Delivery("default", "0", "1-0", "t-1", new byte[0], 0, false),
                "test.echo", 1_000_000, 0, new byte[0])).as("starts now").isZero();
        // A task's record: an unknown state reads as no record, unreadable numbers as absent.
        redis.hset("{taskqueue:default}:t:odd", Map.of("state", "BOGUS"));
        redis.hset("{taskqueue:default}:t:done", Map.of("state", "SUCCESS", "result", "2", "attempt", "x",
                "started", "yesterday", "progress", "half"));
        assertThat(tq.client.handle("odd").state()).isEqualTo(dev.taskqueue.TaskState.PENDING);
        assertThat(tq.client.handle("done").info().attempt()).isZero();
        assertThat(tq.client.handle("done").info().startedAt()).isNull();
        // The event stream, a dead letter, an open chord.
        redis.xadd("{taskqueue}:events", Map.of("type", "BOGUS", "at", "now"));
        redis.xadd("{taskqueue}:events", Map.of("type", "SENT", "id", "t-2", "task", "test.echo", "queue", "default",
                "at", "1000", "source", "me"));
        try (RedisEventLog events = new RedisEventLog(tq.stores, 100)) {
            assertThat(events.recent(10)).extracting(TaskEvent::taskId).containsExactly("t-2");
        }
        redis.xadd("{taskqueue:default}:dead", Map.of("i", "t-3", "at", "never", "attempt", "abc",
                "deliveries", "1e+11"));
        assertThat(tq.admin.deadLetters("default", DeadLetterRead.newestFirst(null, 10, 65_536, 4 << 20))).singleElement()
                .satisfies(d -> assertThat(d.attempt()).isZero()).satisfies(d -> assertThat(d.taskId()).isEqualTo("t-3"));
        redis.hset("{taskqueue:chord:c-1}:m", Map.of("size", "abc", "created", "x", "body", "b-1"));
        redis.zadd("{taskqueue}:chords", 1, "c-1");
        assertThat(tq.admin.chords(10)).extracting(ChordStatus::id).containsExactly("c-1");
    }

    @Test
    void aKeyOfTheWrongTypeWhereAStreamShouldBeCostsOnlyThatStream() {
        redis.set("{taskqueue:default}:s:5", "not a stream");
        Worker worker = tq.startWorker(s -> s.queue("default").queue("images"));

        assertThat(tq.client.submit(TestTasks::echo, "beside-it").get(WAIT)).isEqualTo("beside-it");
        assertThat(tq.client.submit(TestTasks::thumbnail, "next-queue", 10).get(WAIT).imageId())
                .isEqualTo("next-queue");
        assertThat(worker.state()).isEqualTo(Worker.State.RUNNING);
    }

    @Test
    void aFieldOfAChordsResultsThatIsNoPositionNeitherCompletesNorBreaksIt() {
        tq.workflows.openChord("c-2", 2, "{}", "body-2", "test.echo", 60_000);
        redis.hset("{taskqueue:chord:c-2}:r", "junk", "x");

        assertThat(tq.workflows.reportToChord("c-2", 0, 2, "\"a\"", null, 60_000).kind())
                .isEqualTo(WorkflowStore.ChordProgress.Kind.WAITING);
        WorkflowStore.ChordProgress complete = tq.workflows.reportToChord("c-2", 1, 2, "\"b\"", null, 60_000);
        assertThat(complete.kind()).isEqualTo(WorkflowStore.ChordProgress.Kind.COMPLETE);
        assertThat(complete.resultsJson()).containsExactly("\"a\"", "\"b\"");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void submit(String... values) {
        for (String value : values) {
            tq.client.submit(TestTasks::echo, value);
        }
    }

    /**
     * Submits {@code echo(value)}, then writes its entry again with some fields changed ({@code ""}: the field is
     * left out), as a hostile or buggy writer would. Returns the task id.
     */
    private String hostile(String value, Map<String, String> changes) {
        String id = tq.client.submit(TestTasks::echo, value).id();
        List<StreamMessage<String, String>> entries = redis.xrevrange(READY, Range.create("-", "+"),
                io.lettuce.core.Limit.from(1));
        StreamMessage<String, String> entry = entries.get(0);
        assertThat(entry.getBody()).containsEntry("i", id);
        Map<String, String> fields = new LinkedHashMap<>(entry.getBody());
        changes.forEach((name, v) -> {
            if (v.isEmpty()) {
                fields.remove(name);
            }
            else {
                fields.put(name, v);
            }
        });
        redis.xdel(READY, entry.getId());
        redis.xadd(READY, fields);
        return id;
    }

    /** Claims entries as a worker that then dies (it never acknowledges them). */
    private void claimAs(String consumer, int count) {
        List<StreamMessage<String, String>> claimed = redis.xreadgroup(Consumer.from("workers", consumer),
                XReadArgs.Builder.count(count), XReadArgs.StreamOffset.lastConsumed(READY));
        assertThat(claimed).hasSize(count);
    }

    private List<DeadLetter> deadLetters(String queue) {
        return tq.admin.deadLetters(queue, DeadLetterRead.newestFirst(null, 100, 65_536, 4 << 20));
    }

    /** The dead letter of the task {@code echo(value)} whose id is {@code id}, found by its id or its message. */
    private DeadLetter letterOf(String value, String id) {
        return deadLetters("default").stream().filter(d -> d.taskId().equals(id) || d.message().contains('"' + value
                + '"')).findFirst().orElseThrow(() -> new AssertionError("no dead letter for " + value));
    }
}
