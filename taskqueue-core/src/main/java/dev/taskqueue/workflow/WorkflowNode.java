package dev.taskqueue.workflow;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A node of a compiled workflow: what a step's message carries of the steps after it, and what an open chord keeps
 * of its body. Written as JSON by the application's mapper ({@link WorkflowFormat}), its kind by name, never by
 * class (messages cross trust boundaries: a payload can only become one of these records):
 * <pre>
 * {"kind":"task","id":"…","task":"orders.price","queue":"default","args":[…],"immutable":true,"options":{…}}
 * {"kind":"chain","steps":[node…]}
 * {"kind":"group","id":"…","members":[node…]}
 * {"kind":"chord","id":"…","header":[node…],"body":node,"passFailures":true}
 * {"kind":"report","chord":"…","index":3,"size":10,"passFailures":true}
 * </pre>
 * Any node may have {@code links} (started with its result when it succeeds) and {@code errorLinks} (started with
 * a {@link dev.taskqueue.TaskFailure} when it fails for good); a report, which a chord member carries as its link,
 * has error links only. Empty lists and options, and false flags, are left out.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkflowNode.TaskNode.class, name = "task"),
        @JsonSubTypes.Type(value = WorkflowNode.ChainNode.class, name = "chain"),
        @JsonSubTypes.Type(value = WorkflowNode.GroupNode.class, name = "group"),
        @JsonSubTypes.Type(value = WorkflowNode.ChordNode.class, name = "chord"),
        @JsonSubTypes.Type(value = WorkflowNode.ReportNode.class, name = "report") })
sealed interface WorkflowNode {

    /** Started with this node's result when it succeeds. */
    List<WorkflowNode> links();

    /** Started with a {@link dev.taskqueue.TaskFailure} when it fails for good. */
    List<WorkflowNode> errorLinks();

    /** The same node with these callbacks instead of its own. */
    WorkflowNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks);

    /**
     * One task: its id is fixed at submit, so that submitting it again (a redelivered step) stores it once.
     *
     * @param queue the queue it goes to, resolved at submit
     * @param args its arguments as written at submit, after the previous step's result unless it is immutable
     * @param immutable whether it ignores the previous step's result (Celery's {@code si()})
     * @param options its call's options ({@code dev.taskqueue.internal.OptionsJson}); empty for none
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "id", "task", "queue", "args", "immutable", "options", "links", "errorLinks" })
    record TaskNode(@JsonProperty("id") String id, @JsonProperty("task") String task,
            @JsonProperty("queue") String queue, @JsonProperty("args") List<JsonNode> args,
            @JsonProperty("immutable") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean immutable,
            @JsonProperty("options") JsonNode options, @JsonProperty("links") List<WorkflowNode> links,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) implements WorkflowNode {

        public TaskNode {
            required(id, "id");
            required(task, "task");
            required(queue, "queue");
            args = orEmpty(args);
            options = options != null ? options : JsonNodeFactory.instance.objectNode();
            links = orEmpty(links);
            errorLinks = orEmpty(errorLinks);
        }

        @Override
        public TaskNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks) {
            return new TaskNode(id, task, queue, args, immutable, options, links, errorLinks);
        }
    }

    /** Steps one after the other, each result feeding the next. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "steps", "links", "errorLinks" })
    record ChainNode(@JsonProperty("steps") List<WorkflowNode> steps, @JsonProperty("links") List<WorkflowNode> links,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) implements WorkflowNode {

        public ChainNode {
            steps = orEmpty(steps);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a chain has no steps");
            }
            links = orEmpty(links);
            errorLinks = orEmpty(errorLinks);
        }

        @Override
        public ChainNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks) {
            return new ChainNode(steps, links, errorLinks);
        }
    }

    /** Members in parallel; followed by more work, the group becomes a chord's header. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "id", "members", "links", "errorLinks" })
    record GroupNode(@JsonProperty("id") String id, @JsonProperty("members") List<WorkflowNode> members,
            @JsonProperty("links") List<WorkflowNode> links,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) implements WorkflowNode {

        public GroupNode {
            required(id, "id");
            members = orEmpty(members);
            links = orEmpty(links);
            errorLinks = orEmpty(errorLinks);
        }

        @Override
        public GroupNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks) {
            return new GroupNode(id, members, links, errorLinks);
        }
    }

    /**
     * A header of members in parallel, then its body once, with every member's result in order.
     *
     * @param id the chord's id: its header group's
     * @param passFailures whether a failed member counts as a null result instead of failing the chord
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "id", "header", "body", "passFailures", "links", "errorLinks" })
    record ChordNode(@JsonProperty("id") String id, @JsonProperty("header") List<WorkflowNode> header,
            @JsonProperty("body") WorkflowNode body,
            @JsonProperty("passFailures") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean passFailures,
            @JsonProperty("links") List<WorkflowNode> links,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) implements WorkflowNode {

        public ChordNode {
            required(id, "id");
            header = orEmpty(header);
            required(body, "body");
            links = orEmpty(links);
            errorLinks = orEmpty(errorLinks);
        }

        @Override
        public ChordNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks) {
            return new ChordNode(id, header, body, passFailures, links, errorLinks);
        }
    }

    /**
     * A chord member's link: its result (or failure) is recorded at its position in the chord, and the report
     * that completes the chord starts the chord's body, which the chord keeps.
     *
     * @param index the member's position in the header, from 0
     * @param size how many members the header has
     * @param errorLinks the chord's error links, started when this member fails the chord
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({ "chord", "index", "size", "passFailures", "errorLinks" })
    record ReportNode(@JsonProperty("chord") String chord, @JsonProperty("index") int index,
            @JsonProperty("size") int size,
            @JsonProperty("passFailures") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean passFailures,
            @JsonProperty("errorLinks") List<WorkflowNode> errorLinks) implements WorkflowNode {

        public ReportNode {
            required(chord, "chord");
            if (index < 0 || index >= size) {
                throw new IllegalArgumentException("a report to a chord of " + size + " members names member "
                        + index);
            }
            errorLinks = orEmpty(errorLinks);
        }

        @Override
        public List<WorkflowNode> links() {
            return List.of();
        }

        @Override
        public ReportNode withCallbacks(List<WorkflowNode> links, List<WorkflowNode> errorLinks) {
            if (!links.isEmpty()) {
                throw new IllegalStateException("A report to chord [" + chord + "] has no links");
            }
            return new ReportNode(chord, index, size, passFailures, errorLinks);
        }
    }

    /** {@code first}, then {@code more}. */
    static List<WorkflowNode> concat(List<WorkflowNode> first, List<WorkflowNode> more) {
        if (more.isEmpty()) {
            return first;
        }
        if (first.isEmpty()) {
            return more;
        }
        List<WorkflowNode> all = new ArrayList<>(first.size() + more.size());
        all.addAll(first);
        all.addAll(more);
        return all;
    }

    private static <T> List<T> orEmpty(@Nullable List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    private static void required(@Nullable Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException("a workflow node has no \"" + name + "\"");
        }
    }
}
