package dev.taskqueue.workflow;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ArrayNode;

/**
 * The JSON of workflows, versioned: what a step's message carries in its {@code workflow} field, and what an open
 * chord keeps of its body. Written and read by the application's mapper; nodes are {@link WorkflowNode}s.
 * <pre>
 * {"version":1,"links":[node…],"errorLinks":[node…]}    a step's message: what runs after it
 * {"version":1,"body":node}                              a chord's state: what runs after it
 * </pre>
 *
 * <p><b>Compatibility.</b> A field added later that older readers may ignore keeps the version (readers ignore
 * fields they do not know, whatever the mapper's settings); anything a reader must understand takes a new version.
 * A worker refuses a version it does not know: the step is not run (what follows it could not start), it fails
 * naming the version, and waits in the dead letters for a worker that reads it. JSON without a version is the
 * untyped format of earlier releases, still read ({@link LegacyFormat}) so that workflows in flight during an
 * upgrade go on.
 */
final class WorkflowFormat {

    /** The version this release writes, and the only versioned one it reads. */
    static final int VERSION = 1;

    private final ObjectMapper mapper;
    private final ObjectReader continuations;
    private final ObjectReader chordBodies;

    WorkflowFormat(ObjectMapper mapper) {
        this.mapper = mapper;
        this.continuations = reader(mapper, Continuation.class);
        this.chordBodies = reader(mapper, ChordBody.class);
    }

    /** Absent flags and numbers read as false and 0, and unknown fields are skipped, whatever the mapper says. */
    private static ObjectReader reader(ObjectMapper mapper, Class<?> type) {
        return mapper.readerFor(type).without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * What runs after a step: started with its result when it succeeds ({@code links}, among them a chord member's
     * report), or with a {@link dev.taskqueue.TaskFailure} when it fails for good ({@code errorLinks}).
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "version", "links", "errorLinks" })
    record Continuation(@JsonProperty("links") List<WorkflowNode> links,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) {

        Continuation {
            links = links == null ? List.of() : List.copyOf(links);
            errorLinks = errorLinks == null ? List.of() : List.copyOf(errorLinks);
        }

        @JsonProperty("version")
        int version() {
            return VERSION;
        }
    }

    /** What runs after a chord, kept once with the chord rather than in each of its members' messages. */
    @JsonPropertyOrder({ "version", "body" })
    record ChordBody(@JsonProperty("body") WorkflowNode body) {

        ChordBody {
            if (body == null) {
                throw new IllegalArgumentException("a chord's state has no \"body\"");
            }
        }

        @JsonProperty("version")
        int version() {
            return VERSION;
        }
    }

    /** A step's {@code workflow} field. */
    JsonNode write(Continuation continuation) {
        return mapper.valueToTree(continuation);
    }

    /**
     * Reads a step's {@code workflow} field.
     *
     * @throws UnreadableWorkflowException when it is in a version this release does not know, or not a workflow
     */
    Continuation read(JsonNode workflow) {
        try {
            if (!workflow.has("version")) {
                return LegacyFormat.continuation(workflow);
            }
            checkVersion(workflow.get("version"));
            return continuations.readValue(workflow);
        }
        catch (UnreadableWorkflowException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new UnreadableWorkflowException("Its workflow (what runs after it) cannot be read: "
                    + ex.getMessage());
        }
    }

    /** A chord's body as the chord keeps it. */
    String writeBody(WorkflowNode body) {
        return mapper.writeValueAsString(new ChordBody(body));
    }

    /**
     * Reads a chord's body as the chord kept it.
     *
     * @throws UnreadableWorkflowException when it is in a version this release does not know, or not a workflow
     */
    WorkflowNode readBody(String json) {
        try {
            JsonNode tree = mapper.readTree(json);
            if (!tree.has("version")) {
                return LegacyFormat.node(tree);
            }
            checkVersion(tree.get("version"));
            ChordBody body = chordBodies.readValue(tree);
            return body.body();
        }
        catch (UnreadableWorkflowException ex) {
            throw ex;
        }
        catch (RuntimeException ex) {
            throw new UnreadableWorkflowException("A chord's body (what runs after it) cannot be read: "
                    + ex.getMessage());
        }
    }

    private static void checkVersion(JsonNode version) {
        if (!version.isIntegralNumber() || version.asInt() != VERSION) {
            throw new UnreadableWorkflowException("Workflow format version " + version + " is unknown to this worker, "
                    + "which reads version " + VERSION + " (and the unversioned format of earlier releases): what "
                    + "follows this task could not start here. Run it on a worker of the release that submitted it: "
                    + "deploy one, then requeue the task from the dead letters");
        }
    }

    // ------------------------------------------------------------------------------------------ values

    /** A stored result as JSON ({@code null} when there is none). */
    JsonNode result(@Nullable String json) {
        return json == null ? mapper.nullNode() : mapper.readTree(json);
    }

    /** A chord's results, in member order, as the first argument of its body. */
    ArrayNode results(List<@Nullable String> json) {
        ArrayNode results = mapper.createArrayNode();
        json.forEach(result -> results.add(result(result)));
        return results;
    }

    /** A value (an argument, a failure) as JSON. */
    JsonNode tree(@Nullable Object value) {
        return value == null ? mapper.nullNode() : mapper.valueToTree(value);
    }

    /** A JSON value as text. */
    String text(JsonNode value) {
        return mapper.writeValueAsString(value);
    }
}
