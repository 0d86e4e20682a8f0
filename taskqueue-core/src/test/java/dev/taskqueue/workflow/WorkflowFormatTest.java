package dev.taskqueue.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.ChainNode;
import dev.taskqueue.workflow.WorkflowNode.ChordNode;
import dev.taskqueue.workflow.WorkflowNode.GroupNode;
import dev.taskqueue.workflow.WorkflowNode.ReportNode;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** The JSON of workflows: every node kind, its version, and what a worker refuses or still reads. */
class WorkflowFormatTest {

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final WorkflowFormat format = new WorkflowFormat(mapper);

    /** Every kind of node: a chain holding a chord whose body is a group, a chord member's report, error links. */
    private final Continuation everyKind = new Continuation(
            List.of(new ChainNode(List.of(
                    new TaskNode("t2", "orders.price", "default", List.of(mapper.valueToTree(1),
                            mapper.valueToTree("eur")), false, mapper.readTree("{\"priority\":5}"), List.of(),
                            List.of()),
                    new ChordNode("c1", List.of(new TaskNode("t3", "mail.send", "default", List.of(), true, null,
                            List.of(), List.of())),
                            new GroupNode("g1", List.of(task("t4", "stats.sum")), List.of(), List.of()), true,
                            List.of(), List.of())), List.of(), List.of()),
                    new ReportNode("c0", 2, 5, true, List.of(task("e1", "alerts.chord")))),
            List.of(task("e2", "alerts.failed")));

    private static final String EVERY_KIND = """
            {"version":1,"links":[{"kind":"chain","steps":[{"kind":"task","id":"t2","task":"orders.price",\
            "queue":"default","args":[1,"eur"],"options":{"priority":5}},{"kind":"chord","id":"c1","header":[\
            {"kind":"task","id":"t3","task":"mail.send","queue":"default","immutable":true}],"body":{"kind":\
            "group","id":"g1","members":[{"kind":"task","id":"t4","task":"stats.sum","queue":"default"}]},\
            "passFailures":true}]},{"kind":"report","chord":"c0","index":2,"size":5,"passFailures":true,\
            "errorLinks":[{"kind":"task","id":"e1","task":"alerts.chord","queue":"default"}]}],"errorLinks":[\
            {"kind":"task","id":"e2","task":"alerts.failed","queue":"default"}]}""";

    @Test
    void everyNodeIsWrittenWithItsKindByNameReadableFieldsAndTheFormatVersion() {
        assertThat(mapper.writeValueAsString(format.write(everyKind))).isEqualTo(EVERY_KIND);
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        assertThat(format.read(format.write(everyKind))).isEqualTo(everyKind);
    }

    @Test
    void aChordKeepsItsBodyWithTheFormatVersion() {
        WorkflowNode body = everyKind.links().get(0);

        String json = format.writeBody(body);

        assertThat(json).startsWith("{\"version\":1,\"body\":{\"kind\":\"chain\",");
        assertThat(format.readBody(json)).isEqualTo(body);
    }

    @Test
    void theApplicationsMapperSettingsDoNotChangeTheFormat() {
        JsonMapper custom = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.ALWAYS))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        WorkflowFormat customFormat = new WorkflowFormat(custom);

        assertThat(custom.writeValueAsString(customFormat.write(everyKind))).isEqualTo(EVERY_KIND);
        assertThat(customFormat.read(mapper.readTree(EVERY_KIND))).isEqualTo(everyKind);
    }

    @Test
    void fieldsAddedByALaterReleaseAreIgnored() {
        JsonNode later = mapper.readTree("""
                {"version":1,"links":[{"kind":"task","id":"t1","task":"a","queue":"q","deadline":5}],"trace":"x"}""");

        assertThat(format.read(later)).isEqualTo(new Continuation(List.of(new TaskNode("t1", "a", "q", List.of(),
                false, null, List.of(), List.of())), List.of()));
    }

    @Test
    void aVersionThisReleaseDoesNotKnowIsRefusedNamingIt() {
        JsonNode later = mapper.readTree("{\"version\":2,\"next\":[{\"kind\":\"task\"}]}");

        assertThatThrownBy(() -> format.read(later)).isInstanceOf(UnreadableWorkflowException.class)
                .hasMessageStartingWith("Workflow format version 2 is unknown to this worker, which reads "
                        + "version 1")
                .hasMessageContaining("requeue the task from the dead letters");
        assertThatThrownBy(() -> format.readBody("{\"version\":\"1.0\",\"body\":{}}"))
                .isInstanceOf(UnreadableWorkflowException.class)
                .hasMessageStartingWith("Workflow format version \"1.0\" is unknown");
    }

    @Test
    void onlyTheNamedKindsAreRead() {
        for (String node : List.of("{\"kind\":\"java.lang.ProcessBuilder\",\"command\":[\"sh\"]}",
                "{\"@class\":\"java.lang.ProcessBuilder\",\"id\":\"t1\",\"task\":\"a\",\"queue\":\"q\"}",
                "[\"java.lang.ProcessBuilder\",{}]")) {
            JsonNode workflow = mapper.readTree("{\"version\":1,\"links\":[" + node + "]}");

            assertThatThrownBy(() -> format.read(workflow)).isInstanceOf(UnreadableWorkflowException.class)
                    .hasMessageStartingWith("Its workflow (what runs after it) cannot be read: ");
        }
    }

    @Test
    void aNodeWithoutWhatItNeedsIsRefused() {
        JsonNode noId = mapper.readTree("{\"version\":1,\"links\":[{\"kind\":\"task\",\"task\":\"a\","
                + "\"queue\":\"q\"}]}");
        JsonNode badReport = mapper.readTree("{\"version\":1,\"links\":[{\"kind\":\"report\",\"chord\":\"c\","
                + "\"index\":3,\"size\":3}]}");

        assertThatThrownBy(() -> format.read(noId)).isInstanceOf(UnreadableWorkflowException.class)
                .hasMessageContaining("a workflow node has no \"id\"");
        assertThatThrownBy(() -> format.read(badReport)).isInstanceOf(UnreadableWorkflowException.class)
                .hasMessageContaining("a report to a chord of 3 members names member 3");
    }

    /** What the previous release wrote in a message's {@code wf} field, and in a chord's state. */
    @Test
    void theUnversionedFormatOfEarlierReleasesIsStillRead() {
        JsonNode earlier = mapper.readTree("""
                {"link":[{"k":"c","items":[{"k":"t","id":"t2","task":"orders.price","q":"default","args":[1,"eur"],\
                "o":{"priority":5}},{"k":"d","id":"c1","header":{"k":"g","id":"c1","items":[{"k":"t","id":"t3",\
                "task":"mail.send","q":"default","args":[],"imm":true,"o":{}}]},"body":{"k":"g","id":"g1","items":[\
                {"k":"t","id":"t4","task":"stats.sum","q":"default","args":[],"o":{}}]},"pass":true}]},{"k":"r",\
                "chord":"c0","i":2,"n":5,"pass":true,"err":[{"k":"t","id":"e1","task":"alerts.chord","q":"default",\
                "args":[],"o":{}}]}],"err":[{"k":"t","id":"e2","task":"alerts.failed","q":"default","args":[],\
                "o":{}}]}""");

        assertThat(format.read(earlier)).isEqualTo(everyKind);
        assertThat(format.readBody(mapper.writeValueAsString(earlier.get("link").get(0))))
                .isEqualTo(everyKind.links().get(0));
        assertThatThrownBy(() -> format.read(mapper.readTree("{\"link\":[{\"k\":\"x\"}]}")))
                .isInstanceOf(UnreadableWorkflowException.class).hasMessageContaining("unknown node kind \"x\"");
    }

    @Test
    void aStepsMessageCarriesItsWorkflowBesideAMarkThatEarlierReleasesSetAside() {
        MessageCodec codec = new MessageCodec(mapper);
        TaskMessage step = new TaskMessage("t1", "orders.load", "default", 0, 1000, null, null, 0, Map.of(), null,
                null, TaskPolicies.NONE, null, false, format.write(everyKind));

        JsonNode body = mapper.readTree(codec.encodeBody(step, List.of(7)));

        // Earlier releases read "wf" and refuse a message whose "wf" is not an object: they set it aside.
        assertThat(body.get("wf").isObject()).isFalse();
        assertThat(mapper.writeValueAsString(body.get("workflow"))).isEqualTo(EVERY_KIND);
        assertThat(codec.decode("t1", codec.encodeBody(step, List.of(7))).message().workflow())
                .isEqualTo(step.workflow());
        assertThat(MessageCodec.isWorkflowStep(codec.encodeBody(step, List.of(7)))).isTrue();
    }

    @Test
    void aMessageOfAnEarlierReleaseKeepsItsWorkflow() {
        MessageCodec codec = new MessageCodec(mapper);
        String earlier = "{\"task\":\"orders.load\",\"args\":[7],\"queue\":\"default\",\"created\":1000,"
                + "\"wf\":{\"link\":[{\"k\":\"t\",\"id\":\"t2\",\"task\":\"orders.price\",\"q\":\"default\","
                + "\"args\":[],\"o\":{}}]}}";

        TaskMessage message = codec.decode("t1", earlier.getBytes()).message();
        // A retry, a rate-limit wait or a requeue writes it again, with this release's codec.
        TaskMessage again = codec.decode("t1", codec.encodeBody(message.nextAttempt(), List.of(7))).message();

        Continuation expected = new Continuation(List.of(task("t2", "orders.price")), List.of());
        assertThat(format.read(message.workflow())).isEqualTo(expected);
        assertThat(format.read(again.workflow())).isEqualTo(expected);
        assertThat(MessageCodec.isWorkflowStep(earlier.getBytes())).isTrue();
        assertThatThrownBy(() -> codec.decode("t1", "{\"task\":\"a\",\"wf\":1}".getBytes()))
                .isInstanceOf(CorruptMessageException.class).hasMessage("its workflow is not a JSON object");
    }

    private static TaskNode task(String id, String name) {
        return new TaskNode(id, name, "default", List.of(), false, null, List.of(), List.of());
    }
}
