package dev.taskqueue.client;

import static dev.taskqueue.Workflows.chain;
import static dev.taskqueue.Workflows.chord;
import static dev.taskqueue.Workflows.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskState;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.worker.InlineWorker;
import dev.taskqueue.worker.WorkerSettings;
import dev.taskqueue.workflow.WorkflowTasks;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Workflows in the inline mode: every step runs before submit returns, in the caller's thread. */
class InlineWorkflowTest {

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final TaskRegistry registry = new TaskRegistry(mapper, "default");
    private final WorkflowTasks tasks = new WorkflowTasks();
    private final InlineTaskClient client;

    InlineWorkflowTest() {
        registry.register("tasks", tasks, WorkflowTasks.class);
        client = InlineWorker.client(registry, new MessageCodec(mapper), ClientSettings.DEFAULTS,
                WorkerSettings.builder().build(), TaskEventListener.of(List.of()), List.of(), Clock.systemUTC());
    }

    @Test
    void chainsGroupsAndChordsRunBeforeSubmitReturns() {
        TaskHandle<Integer> chained = client.submit(TaskCall.of(WorkflowTasks::add, 1, 2)
                .then(WorkflowTasks::mul, 10));
        GroupHandle<Integer> grouped = client.submit(group(TaskCall.of(WorkflowTasks::add, 1, 1),
                TaskCall.of(WorkflowTasks::add, 2, 2)));
        TaskHandle<Integer> chorded = client.submit(chord(group(IntStream.range(0, 10)
                .mapToObj(i -> TaskCall.of(WorkflowTasks::add, i, 0)).toList()), TaskCall.partial(WorkflowTasks::sum)));

        assertThat(chained.state()).isEqualTo(TaskState.SUCCESS);
        assertThat(chained.get(Duration.ZERO)).isEqualTo(30);
        assertThat(grouped.get(Duration.ZERO)).containsExactly(2, 4);
        assertThat(chorded.get(Duration.ZERO)).isEqualTo(45);
        assertThat(client.groupHandle(grouped.id()).get(Duration.ZERO)).containsExactly(2, 4);
    }

    @Test
    void aLongChainDoesNotGrowTheStack() {
        List<TaskCall<Integer>> steps = IntStream.range(0, 2_000).mapToObj(i -> TaskCall.partial(
                WorkflowTasks::twice)).toList();
        List<dev.taskqueue.Signature<?>> all = new java.util.ArrayList<>();
        all.add(TaskCall.of(WorkflowTasks::add, 0, 0));
        all.addAll(steps);

        assertThat(client.submit(chain(all)).get(Duration.ZERO)).isEqualTo(0);
        assertThat(tasks.runsOf("double")).isEqualTo(2_000);
    }

    @Test
    void aFailureStopsTheChainAndRunsItsErrorLink() {
        TaskHandle<Integer> handle = client.submit(chain(TaskCall.of(WorkflowTasks::add, 1, 2),
                TaskCall.partial(WorkflowTasks::fail), TaskCall.partial(WorkflowTasks::twice))
                .linkError(TaskCall.partial(WorkflowTasks::onError)));

        assertThatThrownBy(() -> handle.get(Duration.ZERO)).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("cannot handle 3");
        assertThat(tasks.runsOf("double")).isZero();
        assertThat(tasks.failures).hasSize(1);
    }

    /** A retry runs at once (not after its delay), and what follows waits for the attempt that succeeds. */
    @Test
    void aStepRetriedByItsPolicyRunsAgainBeforeTheChainGoesOn() {
        TaskHandle<Integer> handle = client.submit(chain(TaskCall.of(WorkflowTasks::flaky, 4),
                TaskCall.partial(WorkflowTasks::twice)));

        assertThat(handle.get(Duration.ZERO)).isEqualTo(8);
        assertThat(tasks.runsOf("flaky")).isEqualTo(2);
        assertThat(tasks.runsOf("double")).isEqualTo(1);
    }
}
