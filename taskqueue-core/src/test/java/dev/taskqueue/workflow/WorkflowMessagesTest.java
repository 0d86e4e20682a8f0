package dev.taskqueue.workflow;

import static dev.taskqueue.Workflows.chain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskFailedException;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.testing.SharedRedis;
import dev.taskqueue.testing.TaskQueueFixture;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Workflow steps as they sit in Redis, on a real Redis with a real worker: the versioned JSON a step carries, a
 * version the worker does not know, and the messages and chords an earlier release left in flight.
 */
class WorkflowMessagesTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String STREAM = "{taskqueue:default}:s:0";

    private final WorkflowTasks tasks = new WorkflowTasks();
    private final TaskQueueFixture tq = new TaskQueueFixture(tasks);
    private final RedisCommands<String, String> redis = SharedRedis.admin().sync();

    @AfterEach
    void stop() {
        tq.close();
    }

    @Test
    void aStepCarriesWhatFollowsItAsVersionedReadableJson() {
        TaskHandle<Integer> handle = tq.client.submit(chain(TaskCall.of(WorkflowTasks::add, 2, 3),
                TaskCall.partial(WorkflowTasks::mul, 10)));

        List<StreamMessage<String, String>> queued = redis.xrange(STREAM, Range.create("-", "+"));
        assertThat(queued).hasSize(1);
        JsonNode first = tq.mapper.readTree(queued.get(0).getBody().get("m"));
        assertThat(first.get("task").asString()).isEqualTo("wf.add");
        assertThat(first.get("workflow")).isEqualTo(tq.mapper.readTree("""
                {"version":1,"links":[{"kind":"chain","steps":[{"kind":"task","id":"%s","task":"wf.mul",\
                "queue":"default","args":[10]}]}]}""".formatted(handle.id())));

        tq.startWorker();
        assertThat(handle.get(WAIT)).isEqualTo(50);
    }

    @Test
    void aStepInAFormatVersionTheWorkerDoesNotKnowFailsNamingItAndDoesNotRun() {
        tq.startWorker();
        enqueue("later-1", "{\"task\":\"wf.add\",\"args\":[2,3],\"queue\":\"default\",\"created\":1,\"wf\":1,"
                + "\"workflow\":{\"version\":2,\"then\":[{\"kind\":\"task\",\"id\":\"later-2\"}]}}");

        assertThatThrownBy(() -> tq.client.handle("later-1").get(WAIT)).isInstanceOfSatisfying(
                TaskFailedException.class, ex -> {
                    assertThat(ex.getRemoteType()).isEqualTo(UnreadableWorkflowException.class.getName());
                    assertThat(ex.getError().message()).startsWith("Workflow format version 2 is unknown to this "
                            + "worker, which reads version 1");
                });
        assertThat(tasks.runsOf("add")).isZero();
        List<StreamMessage<String, String>> dead = redis.xrange("{taskqueue:default}:dead", Range.create("-", "+"));
        assertThat(dead).singleElement().satisfies(entry -> assertThat(entry.getBody())
                .containsEntry("i", "later-1").containsEntry("error", UnreadableWorkflowException.class.getName()));
    }

    @Test
    void aStepWrittenByAnEarlierReleaseStartsWhatFollowsIt() {
        tq.startWorker();
        enqueue("earlier-1", "{\"task\":\"wf.add\",\"args\":[2,3],\"queue\":\"default\",\"created\":1,\"wf\":{"
                + "\"link\":[{\"k\":\"c\",\"items\":[{\"k\":\"t\",\"id\":\"earlier-2\",\"task\":\"wf.mul\","
                + "\"q\":\"default\",\"args\":[10],\"o\":{}},{\"k\":\"t\",\"id\":\"earlier-3\",\"task\":\"wf.add\","
                + "\"q\":\"default\",\"args\":[1,1],\"imm\":true,\"o\":{}}]}]}}");

        assertThat(tq.client.handle("earlier-2", Integer.class).get(WAIT)).isEqualTo(50);
        assertThat(tq.client.handle("earlier-3", Integer.class).get(WAIT)).isEqualTo(2);
    }

    @Test
    void aChordOpenedByAnEarlierReleaseCompletes() {
        tq.workflows.openChord("earlier-chord", 2, "{\"k\":\"t\",\"id\":\"earlier-sum\",\"task\":\"wf.sum\","
                + "\"q\":\"default\",\"args\":[],\"o\":{}}", "earlier-sum", "wf.sum", Duration.ofHours(1).toMillis());
        for (int i = 0; i < 2; i++) {
            enqueue("earlier-member-" + i, "{\"task\":\"wf.add\",\"args\":[" + i + ",10],\"queue\":\"default\","
                    + "\"created\":1,\"wf\":{\"link\":[{\"k\":\"r\",\"chord\":\"earlier-chord\",\"i\":" + i
                    + ",\"n\":2}]}}");
        }
        tq.startWorker();

        assertThat(tq.client.handle("earlier-sum", Integer.class).get(WAIT)).isEqualTo(21);
        assertThat(tasks.sums).containsExactly(List.of(10, 11));
    }

    /** Puts a message in the default queue as a producer would, without a record (the worker makes one). */
    private void enqueue(String id, String body) {
        redis.xadd(STREAM, Map.of("i", id, "m", body, "d", "0"));
    }
}
