package dev.taskqueue.workflow;

import static dev.taskqueue.Workflows.chain;
import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import dev.taskqueue.Chain;
import dev.taskqueue.ChordStatus;
import dev.taskqueue.GroupHandle;
import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInfo;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskRevokedException;
import dev.taskqueue.TaskState;
import dev.taskqueue.broker.WorkerInfo;
import dev.taskqueue.client.ClientSettings;
import dev.taskqueue.client.DefaultTaskClient;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chains, groups, chords, links and their failures, on a real Redis with real workers. */
class WorkflowTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private final WorkflowTasks tasks = new WorkflowTasks();
    private TaskQueueFixture tq;

    @BeforeEach
    void start() {
        tq = new TaskQueueFixture(tasks);
        tq.startWorker(s -> s.queue("default").queue("other").concurrency(8));
    }

    @AfterEach
    void stop() {
        tq.close();
    }

    @Test
    void aChainFeedsEachResultToTheNextAndItsHandleIsTheLastTasks() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 2, 3),
                TaskCall.partial(WorkflowTasks::mul, 10), TaskCall.partial(WorkflowTasks::twice)));

        assertThat(handle.get(WAIT)).isEqualTo(100);
        assertThat(tasks.runsOf("add") + tasks.runsOf("mul") + tasks.runsOf("double")).isEqualTo(3);
    }

    @Test
    void thenChainsTypeCheckedAndAcrossQueues() {
        Chain<String> chain = TaskCall.of(WorkflowTasks::add, 1, 2).then(WorkflowTasks::mul, 5)
                .then(TaskCall.partial(WorkflowTasks::describe));

        TaskHandle<String> handle = tq.client.submit(chain);

        assertThat(handle.get(WAIT)).isEqualTo("value 15");
        assertThat(handle.info().queue()).isEqualTo("other");
    }

    @Test
    void anImmutableStepIgnoresThePreviousResult() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::add, 20, 22).immutable()));

        assertThat(handle.get(WAIT)).isEqualTo(42);
    }

    @Test
    void aFailedLinkStopsTheChainAndFailsItsHandleWithThatError() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 2),
                TaskCall.partial(WorkflowTasks::fail), TaskCall.partial(WorkflowTasks::twice))
                .linkError(TaskCall.partial(WorkflowTasks::onError)));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.getError().type()).isEqualTo(IllegalStateException.class.getName());
            assertThat(ex.getError().message()).contains("Task 'wf.fail'").contains("cannot handle 3");
            assertThat(ex.getError().stackTrace()).contains("WorkflowTasks.fail");
        });
        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        awaitDrained();
        assertThat(tasks.runsOf("double")).isZero();
        await().atMost(WAIT).until(() -> tasks.failures.size() == 1);
        assertThat(tasks.failures.get(0).taskName()).isEqualTo("wf.fail");
        assertThat(tasks.failures.get(0).errorMessage()).isEqualTo("cannot handle 3");
        awaitDrained();
        assertThat(tasks.runsOf("onError")).isEqualTo(1); // once, although the chain's three tasks carry it
    }

    @Test
    void aWorkflowThatCannotTypeCheckFailsAtSubmitNamingTheTask() {
        assertThatThrownBy(() -> tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 2),
                TaskCall.of(WorkflowTasks::add, 1, 2)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'wf.add' takes 2 argument(s)")
                .hasMessageContaining("previous step's result").hasMessageContaining("partial");
    }

    @Test
    void aGroupGivesResultsInSubmitOrderAndCanBeLookedUpLater() {
        GroupHandle<Integer> handle = tq.client.submit(group(IntStream.range(0, 20)
                .mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, i)).toList()));

        assertThat(handle.get(WAIT)).isEqualTo(IntStream.range(0, 20).map(i -> 2 * i).boxed().toList());
        assertThat(handle.states()).containsOnly(TaskState.SUCCESS).hasSize(20);
        assertThat(handle.state()).isEqualTo(TaskState.SUCCESS);

        DefaultTaskClient other = new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, tq.registry, tq.codec,
                ClientSettings.DEFAULTS, tq.event(), Clock.systemUTC());
        GroupHandle<Object> found = other.groupHandle(handle.id());
        assertThat(found.get(WAIT)).isEqualTo(IntStream.range(0, 20).map(i -> 2 * i).boxed().toList());
        assertThat(found.members()).extracting(TaskHandle::id)
                .isEqualTo(handle.members().stream().map(TaskHandle::id).toList());
    }

    @Test
    void aGroupOfGroupsIsLookedUpWhole() {
        GroupHandle<List<Integer>> handle = tq.client.submit(group(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::add, 2, 2)), group(TaskCall.of(WorkflowTasks::add, 3, 3))));

        assertThat(handle.get(WAIT)).isEqualTo(List.of(List.of(2, 4), List.of(6)));
        assertThat(tq.client.groupHandle(handle.id()).get(WAIT)).isEqualTo(List.of(List.of(2, 4), List.of(6)));
    }

    @Test
    void aGroupHandleFailsWhenAMemberFails() {
        GroupHandle<Integer> handle = tq.client.submit(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::fail, 7)));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("cannot handle 7");
        assertThat(handle.state()).isEqualTo(TaskState.FAILURE);
        assertThat(handle.states()).containsExactly(TaskState.SUCCESS, TaskState.FAILURE);
    }

    @Test
    void aChordRunsItsBodyOnceWithEveryResultInOrder() {
        TaskHandle<Integer> handle = tq.client.submit(chord(group(IntStream.range(0, 50)
                .mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, 0)).toList()), TaskCall.partial(WorkflowTasks::sum)));

        assertThat(handle.get(WAIT)).isEqualTo(IntStream.range(0, 50).sum());
        awaitDrained();
        assertThat(tasks.runsOf("sum")).isEqualTo(1);
        assertThat(tasks.sums.get(0)).isEqualTo(IntStream.range(0, 50).boxed().toList());
        assertThat(tq.admin.chords(100)).isEmpty(); // completed chords leave the list
    }

    @Test
    void aChordsMembersThatEndTogetherReportInOneCall() {
        int n = 300;
        long before = SharedRedis.calls("hlen"); // the report script's, once per call
        TaskHandle<Integer> handle = tq.client.submit(chord(group(IntStream.range(0, n)
                .mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, 0)).toList()), TaskCall.partial(WorkflowTasks::sum)));

        assertThat(handle.get(WAIT)).isEqualTo(IntStream.range(0, n).sum());
        awaitDrained();
        assertThat(tasks.sums).containsExactly(IntStream.range(0, n).boxed().toList());
        assertThat(tasks.runsOf("sum")).isEqualTo(1);
        // One call per member before; with 8 slots, those that end while a call is in flight go in the next.
        assertThat(SharedRedis.calls("hlen") - before).isBetween(1L, n * 3L / 4);
    }

    @Test
    void aChordCountsRetriedMembersOnce() {
        List<Signature<? extends Integer>> members = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            members.add(i % 3 == 0 ? TaskCall.of(WorkflowTasks::flaky, i)
                    : i % 3 == 1 ? TaskCall.of(WorkflowTasks::retryOnce, i) : TaskCall.of(WorkflowTasks::add, i, 0));
        }
        TaskHandle<Integer> handle = tq.client.submit(chord(group(members), TaskCall.partial(WorkflowTasks::sum)));

        assertThat(handle.get(WAIT)).isEqualTo(IntStream.range(0, 30).sum());
        assertThat(tasks.runsOf("flaky")).isEqualTo(20); // each failed once, then succeeded
        assertThat(tasks.runsOf("retryOnce")).isEqualTo(20);
        awaitDrained();
        assertThat(tasks.runsOf("sum")).isEqualTo(1);
        assertThat(tasks.sums.get(0)).isEqualTo(IntStream.range(0, 30).boxed().toList());
    }

    @Test
    void aFailedMemberFailsTheChordNamingItAndTheBodyNeverRuns() {
        TaskHandle<Integer> handle = tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::fail, 5), TaskCall.of(WorkflowTasks::add, 2, 2)),
                TaskCall.partial(WorkflowTasks::sum)).linkError(TaskCall.partial(WorkflowTasks::onError)));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.getError().message()).startsWith("Chord member 2 of 3: Task 'wf.fail'")
                    .contains("cannot handle 5");
            assertThat(ex.getError().type()).isEqualTo(IllegalStateException.class.getName());
        });
        await().atMost(WAIT).until(() -> tasks.failures.size() == 1);
        awaitDrained();
        assertThat(tasks.runsOf("sum")).isZero();
        List<ChordStatus> chords = tq.admin.chords(10);
        assertThat(chords).hasSize(1);
        assertThat(chords.get(0).failure()).contains("Chord member 2 of 3");
        assertThat(chords.get(0).size()).isEqualTo(3);
        assertThat(chords.get(0).bodyTaskName()).isEqualTo("wf.sum");
    }

    @Test
    void aChordMemberWhoseWorkersKeepDyingFailsTheChordWithoutRunningAgain() {
        TaskHandle<Integer> handle = tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::add, 5, 5).withOptions(TaskOptions.defaults().queue("poisoned")),
                TaskCall.of(WorkflowTasks::add, 2, 2)), TaskCall.partial(WorkflowTasks::sum))
                .linkError(TaskCall.partial(WorkflowTasks::onError)));

        // Three workers take the member and die with it; the running worker's janitor takes it back each time.
        for (int death = 1; death <= 3; death++) {
            String doomed = "doomed-" + death;
            await().atMost(WAIT).until(() -> {
                long now = System.currentTimeMillis();
                tq.broker.heartbeat(new WorkerInfo(doomed, "h", 1, List.of("poisoned"), 1, 0, 0, 0, now, now,
                        "RUNNING"), Duration.ofSeconds(1), Duration.ofSeconds(1));
                return tq.broker.claim(doomed, List.of("poisoned"), 1).size() == 1;
            });
        }
        tq.startWorker(s -> s.queue("poisoned").maxDeliveries(3));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class, ex -> {
            assertThat(ex.getError().message()).startsWith("Chord member 2 of 3: Task 'wf.add'")
                    .contains("delivered 3 times").contains("poison pill");
            assertThat(ex.getError().type()).isEqualTo("dev.taskqueue.WorkerLostException");
        });
        await().atMost(WAIT).until(() -> tasks.failures.size() == 1);
        awaitDrained();
        assertThat(tasks.runsOf("add")).isEqualTo(2); // the other two members; the poison pill never ran
        assertThat(tasks.runsOf("sum")).isZero();
        assertThat(tq.admin.chords(10)).singleElement().satisfies(chord -> assertThat(chord.failure())
                .contains("Chord member 2 of 3"));
    }

    @Test
    void aChordThatPassesFailuresRunsItsBodyWithNullForTheFailedMember() {
        TaskHandle<Integer> handle = tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::fail, 5), TaskCall.of(WorkflowTasks::add, 2, 2)),
                TaskCall.partial(WorkflowTasks::sum)).passFailures());

        assertThat(handle.get(WAIT)).isEqualTo(6);
        assertThat(tasks.sums.get(0)).isEqualTo(Arrays.asList(2, null, 4));
    }

    @Test
    void anOpenChordIsVisibleWithItsProgress() {
        TaskHandle<Integer> handle = tq.client.withOptions(TaskOptions.defaults())
                .submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1), TaskCall.of(WorkflowTasks::add, 2, 2)
                        .withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))),
                        TaskCall.partial(WorkflowTasks::sum)));

        await().atMost(WAIT).untilAsserted(() -> {
            List<ChordStatus> chords = tq.admin.chords(10);
            assertThat(chords).hasSize(1);
            assertThat(chords.get(0).done()).isEqualTo(1);
            assertThat(chords.get(0).size()).isEqualTo(2);
            assertThat(chords.get(0).failure()).isNull();
            assertThat(chords.get(0).bodyTaskId()).isEqualTo(handle.id());
        });
    }

    @Test
    void everyKeyAWorkflowWritesExpires() {
        tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1), TaskCall.of(WorkflowTasks::add, 2, 2)),
                TaskCall.partial(WorkflowTasks::sum))).get(WAIT);
        tq.client.submit(group(TaskCall.of(WorkflowTasks::add, 3, 3))).get(WAIT);
        tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 4, 4), TaskCall.of(WorkflowTasks::add, 5, 5)
                .withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))),
                TaskCall.partial(WorkflowTasks::sum))); // stays open
        await().atMost(WAIT).until(() -> tq.admin.chords(10).size() == 1 && tq.admin.chords(10).get(0).done() == 1);

        RedisCommands<String, String> redis = SharedRedis.admin().sync();
        List<String> workflowKeys = redis.keys("*").stream().filter(key -> key.contains(":chord")
                || key.contains(":group:") || key.contains(":t:")).toList();

        assertThat(workflowKeys).anyMatch(key -> key.endsWith(":chords")).anyMatch(key -> key.endsWith("}:r"))
                .anyMatch(key -> key.endsWith("}:m")).anyMatch(key -> key.contains(":group:"));
        assertThat(workflowKeys).allSatisfy(key -> assertThat(redis.pttl(key)).as(key).isPositive());
    }

    @Test
    void aChordKeepsItsCallbackOnceRatherThanInEveryHeaderMessage() {
        String large = "x".repeat(100_000);
        tq.client.submit(chord(group(IntStream.range(0, 20).mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, 0)
                .withOptions(TaskOptions.defaults().countdown(Duration.ofHours(1)))).toList()),
                TaskCall.partial(WorkflowTasks::label, large)));

        List<String> headerMessages = SharedRedis.admin().sync().hvals("{taskqueue:default}:dp");

        assertThat(headerMessages).hasSize(20).allSatisfy(message -> assertThat(message.length()).isLessThan(2_000));
        TaskHandle<String> handle = tq.client.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 2),
                TaskCall.of(WorkflowTasks::add, 3, 4)), TaskCall.partial(WorkflowTasks::label, large)));
        assertThat(handle.get(WAIT)).isEqualTo("100000:10");
    }

    /** A step whose message would be too large fails where it would start, and its error links run. */
    @Test
    void aStepThatCannotBeSubmittedFailsAndRunsItsErrorLinks() {
        // A result that fits taskqueue.max-result-size (1 MiB as JSON), in a next message that does not fit 1 MiB.
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::large, 1024 * 1024 - 16),
                TaskCall.partial(WorkflowTasks::length).linkError(TaskCall.partial(WorkflowTasks::onError))));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOfSatisfying(TaskFailedException.class,
                ex -> assertThat(ex.getError().message()).startsWith("Could not submit task 'wf.length'"));
        await().atMost(WAIT).until(() -> tasks.failures.size() == 1);
        assertThat(tasks.failures.get(0).taskId()).isEqualTo(handle.id());
        awaitDrained();
        assertThat(tasks.runsOf("length")).isZero();
    }

    /** submitAll checks every call, sizes too, before it sends any, also when calls have links. */
    @Test
    void submitAllSendsNothingWhenOneCallWithLinksCannotBeSent() {
        List<TaskCall<?>> calls = List.of(
                TaskCall.of(WorkflowTasks::add, 1, 1).link(TaskCall.partial(WorkflowTasks::record)),
                TaskCall.of(WorkflowTasks::length, "x".repeat(2_000_000))
                        .link(TaskCall.partial(WorkflowTasks::record)));

        assertThatThrownBy(() -> tq.client.submitAll(calls)).isInstanceOf(PayloadTooLargeException.class);
        awaitDrained(); // had the first been sent, it would have run by now
        assertThat(tasks.runsOf("add")).isZero();
        assertThatIllegalArgumentException().isThrownBy(() -> tq.client.withOptions(TaskOptions.defaults()
                .taskId("one")).submitAll(List.of(TaskCall.of(WorkflowTasks::add, 1, 1),
                        TaskCall.of(WorkflowTasks::add, 2, 2)))).withMessageContaining("names one task");
    }

    @Test
    void workflowsNest() {
        // a chain containing a group: the group then the next step makes a chord
        TaskHandle<Object> chainWithGroup = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 1),
                group(TaskCall.partial(WorkflowTasks::mul, 2), TaskCall.partial(WorkflowTasks::mul, 3)),
                TaskCall.partial(WorkflowTasks::sum)));
        // a group of chains
        GroupHandle<Integer> groupOfChains = tq.client.submit(group(
                chain(TaskCall.of(WorkflowTasks::add, 1, 1), TaskCall.partial(WorkflowTasks::mul, 10)),
                chain(TaskCall.of(WorkflowTasks::add, 2, 2), TaskCall.partial(WorkflowTasks::mul, 10))));
        // a chord inside a chain
        TaskHandle<Integer> chordInChain = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 2),
                chord(group(TaskCall.partial(WorkflowTasks::mul, 2), TaskCall.partial(WorkflowTasks::mul, 3)),
                        TaskCall.partial(WorkflowTasks::sum)),
                TaskCall.partial(WorkflowTasks::mul, 10)));
        // a chain ending with a group: its handle is the group's
        TaskHandle<List<Integer>> chainToGroup = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 1),
                group(TaskCall.partial(WorkflowTasks::mul, 2), TaskCall.partial(WorkflowTasks::twice))));

        assertThat(chainWithGroup.get(WAIT)).isEqualTo(10);
        assertThat(groupOfChains.get(WAIT)).containsExactly(20, 40);
        assertThat(chordInChain.get(WAIT)).isEqualTo(150);
        assertThat(chainToGroup).isInstanceOf(GroupHandle.class);
        assertThat(chainToGroup.get(WAIT)).containsExactly(4, 4);
    }

    @Test
    void aChordOfChordsWaitsForTheInnerOnes() {
        TaskHandle<Integer> handle = tq.client.submit(chord(group(
                chord(group(TaskCall.of(WorkflowTasks::add, 1, 0), TaskCall.of(WorkflowTasks::add, 2, 0)),
                        TaskCall.partial(WorkflowTasks::sum)),
                chain(TaskCall.of(WorkflowTasks::add, 3, 0), TaskCall.partial(WorkflowTasks::twice))),
                TaskCall.partial(WorkflowTasks::sum)));

        assertThat(handle.get(WAIT)).isEqualTo(3 + 6);
    }

    @Test
    void aGroupInsideAChordHeaderReportsItsResultsAsOneList() {
        TaskHandle<Void> handle = tq.client.submit(chord(group(
                group(TaskCall.of(WorkflowTasks::add, 1, 1), TaskCall.of(WorkflowTasks::add, 2, 2)),
                TaskCall.of(WorkflowTasks::add, 3, 3)), TaskCall.partial(WorkflowTasks::record)));

        handle.get(WAIT);
        assertThat(tasks.linked).containsExactly(List.of(List.of(2, 4), 6));
    }

    /** A 1,000,000-member chord once ran a worker JVM out of memory: a workflow past the bound is refused at once. */
    @Test
    void aWorkflowLargerThanTheBoundIsRefusedAtSubmitAndNothingIsSent() {
        DefaultTaskClient bounded = new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, tq.registry, tq.codec,
                new ClientSettings("default", ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE, Duration.ofHours(1), null,
                        false, 10), tq.event(), Clock.systemUTC());
        List<TaskCall<Integer>> ten = IntStream.range(0, 10).mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, i))
                .toList();

        assertThatThrownBy(() -> bounded.submit(chord(group(ten), TaskCall.partial(WorkflowTasks::sum))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("This workflow has 11 tasks, more than the 10 one submit may hold")
                .hasMessageContaining("taskqueue.max-workflow-tasks");
        assertThat(SharedRedis.admin().sync().keys("{taskqueue:chord:*")).as("no chord opened").isEmpty();
        bounded.submit(group(ten)).get(WAIT);
    }

    @Test
    void aHeaderTaskOfAnExpiredChordRunsOnceAndIsNotHandedBackForever() throws Exception {
        DefaultTaskClient shortLived = new DefaultTaskClient(tq.broker, tq.results, tq.workflows, tq.admin, tq.registry, tq.codec,
                new ClientSettings("default", ClientSettings.DEFAULT_MAX_PAYLOAD_SIZE, Duration.ofSeconds(1)),
                tq.event(), Clock.systemUTC());
        // The chord's state lives 1 s; its only header task starts after 2 s.
        shortLived.submit(chord(group(TaskCall.of(WorkflowTasks::add, 1, 1).withOptions(
                TaskOptions.defaults().countdown(Duration.ofSeconds(2)))), TaskCall.partial(WorkflowTasks::sum)));

        await().atMost(WAIT).until(() -> tasks.runsOf("add") == 1);
        awaitDrained();
        Thread.sleep(500); // a task handed back runs again within milliseconds
        assertThat(tasks.runsOf("add")).isEqualTo(1);
        assertThat(tasks.runsOf("sum")).isZero();
    }

    @Test
    void aFailureInsideANestedStepFailsEverythingAfterIt() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 2),
                chord(group(TaskCall.partial(WorkflowTasks::fail), TaskCall.partial(WorkflowTasks::mul, 3)),
                        TaskCall.partial(WorkflowTasks::sum)),
                TaskCall.partial(WorkflowTasks::mul, 10)));

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("Chord member 1 of 2").hasMessageContaining("cannot handle 3");
        awaitDrained();
        assertThat(tasks.runsOf("sum")).isZero();
    }

    @Test
    void linksRunAfterAnyTaskWithItsResultAndErrorLinksAfterItsFailure() {
        TaskHandle<Integer> ok = tq.client.submit(TaskCall.of(WorkflowTasks::add, 20, 22)
                .link(TaskCall.partial(WorkflowTasks::record))
                .link(TaskCall.of(WorkflowTasks::hello).immutable()));
        TaskHandle<Integer> failing = tq.client.submit(TaskCall.of(WorkflowTasks::fail, 9)
                .linkError(TaskCall.partial(WorkflowTasks::onError)).link(TaskCall.partial(WorkflowTasks::record)));

        assertThat(ok.get(WAIT)).isEqualTo(42);
        assertThatThrownBy(() -> failing.get(WAIT)).isInstanceOf(TaskFailedException.class);
        await().atMost(WAIT).until(() -> tasks.linked.size() == 1 && tasks.runsOf("hello") == 1
                && tasks.failures.size() == 1);
        assertThat(tasks.linked).containsExactly(42);
        assertThat(tasks.failures.get(0).taskId()).isEqualTo(failing.id());
        assertThat(tasks.failures.get(0).errorType()).isEqualTo(IllegalStateException.class.getName());
    }

    @Test
    void aRevokedStepRevokesWhatFollows() {
        TaskHandle<Integer> handle = tq.client.submit(chain(
                TaskCall.of(WorkflowTasks::add, 1, 2).withOptions(TaskOptions.defaults().countdown(
                        Duration.ofMinutes(1)).taskId("first-step")), TaskCall.partial(WorkflowTasks::twice)));
        tq.client.handle("first-step").revoke();

        assertThatThrownBy(() -> handle.get(WAIT)).isInstanceOf(TaskRevokedException.class)
                .hasMessageContaining("first-step");
        assertThat(handle.state()).isEqualTo(TaskState.REVOKED);
    }

    @Test
    void recordsNameTheirArgumentsAndWorkflowParent() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 4, 5).withOptions(
                TaskOptions.defaults().taskId("parent-step")), TaskCall.partial(WorkflowTasks::mul, 3)));

        assertThat(handle.get(WAIT)).isEqualTo(27);
        TaskInfo info = handle.info();
        assertThat(info.argumentsJson()).isEqualTo("[9,3]");
        assertThat(info.parentId()).isEqualTo("parent-step");
        // A step's successors are submitted before its own outcome is recorded: the chain can end first.
        TaskHandle<Object> parent = tq.client.handle("parent-step");
        await().atMost(WAIT).until(() -> parent.state() == TaskState.SUCCESS);
        assertThat(parent.info().argumentsJson()).isEqualTo("[4,5]");
    }

    /** The record a step gets when its predecessor submits it already names that predecessor, before it runs. */
    @Test
    void aStepWaitingInItsQueueNamesItsParent() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 4, 5).withOptions(
                TaskOptions.defaults().taskId("first-of-two")), TaskCall.partial(WorkflowTasks::mul, 3)
                        .withOptions(TaskOptions.defaults().queue("unconsumed"))));

        TaskHandle<Object> first = tq.client.handle("first-of-two");
        // its successor was stored before its own outcome was recorded
        await().atMost(WAIT).until(() -> first.state() == TaskState.SUCCESS);
        assertThat(handle.state()).isEqualTo(TaskState.PENDING);
        assertThat(handle.info().parentId()).isEqualTo("first-of-two");
        assertThat(handle.info().queue()).isEqualTo("unconsumed");
    }

    @Test
    void resubmittingAWorkflowWithFixedIdsStoresNothingTwice() {
        Signature<Integer> workflow = chord(group(TaskCall.of(WorkflowTasks::add, 1, 1)
                .withOptions(TaskOptions.defaults().taskId("m1")), TaskCall.of(WorkflowTasks::add, 2, 2)
                        .withOptions(TaskOptions.defaults().taskId("m2"))).withId("g1"),
                TaskCall.partial(WorkflowTasks::sum).withOptions(TaskOptions.defaults().taskId("body")));
        TaskHandle<Integer> first = tq.client.submit(workflow);
        assertThat(first.get(WAIT)).isEqualTo(6);
        TaskHandle<Integer> second = tq.client.submit(workflow);
        assertThat(second.get(WAIT)).isEqualTo(6);
        awaitDrained();
        assertThat(tasks.runsOf("add")).isEqualTo(2);
        assertThat(tasks.runsOf("sum")).isEqualTo(1);
    }

    /**
     * Until nothing waits or runs in either queue: every step of the workflows is done, as a step's successors
     * are queued before it is acknowledged. Then a task that has not run never will.
     */
    private void awaitDrained() {
        await().atMost(WAIT).until(() -> tq.admin.stats(List.of("default", "other")).stream()
                .allMatch(queue -> queue.pending() == 0 && queue.scheduled() == 0 && queue.active() == 0));
    }
}
