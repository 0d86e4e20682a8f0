package dev.taskqueue.actuate.view;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiFunction;

import dev.taskqueue.TaskInfo;
import dev.taskqueue.broker.WorkflowStore;
import org.jspecify.annotations.Nullable;

/**
 * Draws a workflow as the dashboard shows it, from what the task records and the workflow store keep:
 * <ol>
 * <li>a group's id: its members; when the group is a chord's header, with the chord's body after every member;</li>
 * <li>a task's id: the steps that led to it, followed up through each record's parent. A parent that is no task but
 * a group is a chord's header (a chord's body names it as its parent): its members all lead to the step after it,
 * and the walk goes on from the step before them.</li>
 * </ol>
 * Each node carries its task's state: PENDING while it has no record, UNKNOWN for an id with neither record nor
 * group. Bounded: {@value #MAX_DEPTH} steps up, {@value #MAX_MEMBERS} members of a group drawn.
 */
final class WorkflowGraphs {

    /** How many steps a graph follows up through parents, at most. */
    static final int MAX_DEPTH = 32;

    /** How many members of one group a graph draws, at most (each is a record read). */
    static final int MAX_MEMBERS = 500;

    /** A task's record in a queue (null: any queue), or null when it has none. */
    private final BiFunction<@Nullable String, String, @Nullable TaskInfo> records;
    private final @Nullable WorkflowStore store;

    WorkflowGraphs(BiFunction<@Nullable String, String, @Nullable TaskInfo> records, @Nullable WorkflowStore store) {
        this.records = records;
        this.store = store;
    }

    /** The graph of the group or chord with this id, or of the steps that led to the task with this id. */
    Views.Workflow graph(String id) {
        List<WorkflowStore.Member> members = group(id);
        if (members != null) {
            List<Views.Node> nodes = new ArrayList<>(nodes(members));
            String body = store == null ? null : store.chordBodyTaskId(id);
            if (body == null) {
                return new Views.Workflow(id, "group", nodes, List.of());
            }
            List<Views.Edge> edges = nodes.stream().map(member -> new Views.Edge(member.id(), body)).toList();
            nodes.add(node(null, body));
            return new Views.Workflow(id, "chord", nodes, edges);
        }
        Deque<Views.Node> nodes = new ArrayDeque<>();
        Deque<Views.Edge> edges = new ArrayDeque<>();
        String kind = "chain";
        List<String> next = List.of();
        String current = id;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
            TaskInfo info = records.apply(null, current);
            List<WorkflowStore.Member> header = info == null ? group(current) : null;
            List<String> ids;
            if (header != null) {
                kind = "chord";
                List<Views.Node> drawn = nodes(header);
                for (int i = drawn.size() - 1; i >= 0; i--) {
                    nodes.addFirst(drawn.get(i));
                }
                ids = drawn.stream().map(Views.Node::id).toList();
                TaskInfo first = header.isEmpty() ? null : records.apply(queue(header.get(0)), header.get(0).taskId());
                current = first == null ? null : first.parentId();
            }
            else {
                nodes.addFirst(info == null ? new Views.Node(current, null, "UNKNOWN", current) : node(current, info));
                ids = List.of(current);
                current = info == null ? null : info.parentId();
            }
            for (int i = ids.size() - 1; i >= 0; i--) {
                for (int j = next.size() - 1; j >= 0; j--) {
                    edges.addFirst(new Views.Edge(ids.get(i), next.get(j)));
                }
            }
            next = ids;
        }
        if (nodes.size() == 1 && nodes.getFirst().state().equals("UNKNOWN")) {
            throw new ViewNotFoundException("No workflow '" + id + "': no group has this id and no task record either "
                    + "(it is unknown, or its records expired)");
        }
        return new Views.Workflow(id, kind, List.copyOf(nodes), List.copyOf(edges));
    }

    private @Nullable List<WorkflowStore.Member> group(String id) {
        return store == null ? null : store.group(id);
    }

    private List<Views.Node> nodes(List<WorkflowStore.Member> members) {
        return members.stream().limit(MAX_MEMBERS).map(member -> node(queue(member), member.taskId())).toList();
    }

    /** A nested group's member has no queue. */
    private static @Nullable String queue(WorkflowStore.Member member) {
        return member.queue().isEmpty() ? null : member.queue();
    }

    private Views.Node node(@Nullable String queue, String taskId) {
        TaskInfo info = records.apply(queue, taskId);
        return info == null ? new Views.Node(taskId, null, "PENDING", taskId) : node(taskId, info);
    }

    private static Views.Node node(String taskId, TaskInfo info) {
        return new Views.Node(taskId, info.name(), info.state().name(), info.name() != null ? info.name() : taskId);
    }
}
