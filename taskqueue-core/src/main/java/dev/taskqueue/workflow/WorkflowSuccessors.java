package dev.taskqueue.workflow;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.ChainNode;
import dev.taskqueue.workflow.WorkflowNode.ChordNode;
import dev.taskqueue.workflow.WorkflowNode.GroupNode;
import dev.taskqueue.workflow.WorkflowNode.ReportNode;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a workflow step starts when it succeeds, read from its message's {@code workflow} field for operators (the
 * dashboard's task children): the first task of each link, so a chain's next step, or every member of a group or of
 * a chord's header that follows. A chord member's link is its report to the chord: it is listed as the chord's id
 * (the chord's header group), whose body the workflow store names. At most {@value #MAX} ids; a field this release
 * cannot read lists none.
 */
public final class WorkflowSuccessors {

    /** The most ids listed: enough to follow a workflow, bounded for a group of thousands. */
    public static final int MAX = 16;

    /** Only nodes are read (no argument is converted), so the shared mapper reads them as the worker's would. */
    private static final WorkflowFormat FORMAT = new WorkflowFormat(JsonMapper.shared());

    private WorkflowSuccessors() {
    }

    /** The ids of the tasks (or, for a chord member, the chord) that start after the step with this field. */
    public static List<String> of(@Nullable JsonNode workflow) {
        if (workflow == null || !workflow.isObject()) {
            return List.of();
        }
        Continuation continuation;
        try {
            continuation = FORMAT.read(workflow);
        }
        catch (RuntimeException ex) { // another version's, or not a workflow: the worker says so when it runs it
            return List.of();
        }
        return of(continuation);
    }

    /** The same, of a field already read. */
    static List<String> of(Continuation continuation) {
        List<String> ids = new ArrayList<>();
        continuation.links().forEach(link -> firstTasks(link, ids));
        return List.copyOf(ids);
    }

    private static void firstTasks(WorkflowNode node, List<String> ids) {
        if (ids.size() >= MAX) {
            return;
        }
        if (node instanceof TaskNode task) {
            ids.add(task.id());
        }
        else if (node instanceof ChainNode chain) {
            if (!chain.steps().isEmpty()) {
                firstTasks(chain.steps().get(0), ids);
            }
        }
        else if (node instanceof GroupNode group) {
            group.members().forEach(member -> firstTasks(member, ids));
        }
        else if (node instanceof ChordNode chord) {
            if (chord.header().isEmpty()) {
                firstTasks(chord.body(), ids);
            }
            else {
                chord.header().forEach(member -> firstTasks(member, ids));
            }
        }
        else if (node instanceof ReportNode report) {
            ids.add(report.chord());
        }
    }
}
