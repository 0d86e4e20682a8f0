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

/**
 * Reads the unversioned workflow JSON of releases before format 1, so that steps and chords in flight during an
 * upgrade go on; nothing writes it any more. A message's {@code wf} held {@code {link, err}}, a chord's state its
 * body as one node; nodes had one-letter kinds ({@code k}): {@code t} task {id, task, q, args, imm, o}, {@code c}
 * chain {items}, {@code g} group {id, items}, {@code d} chord {id, header (a group node), body, pass}, {@code r}
 * report to a chord {chord, i, n, pass}. Any node could have {@code link} and {@code err}.
 */
final class LegacyFormat {

    private LegacyFormat() {
    }

    static Continuation continuation(JsonNode workflow) {
        return new Continuation(nodes(workflow.get("link")), nodes(workflow.get("err")));
    }

    static WorkflowNode node(JsonNode node) {
        List<WorkflowNode> links = nodes(node.get("link"));
        List<WorkflowNode> errorLinks = nodes(node.get("err"));
        String kind = text(node, "k");
        return switch (kind) {
            case "t" -> new TaskNode(text(node, "id"), text(node, "task"), text(node, "q"),
                    values(node.get("args")), flag(node, "imm"), node.get("o"), links, errorLinks);
            case "c" -> new ChainNode(nodes(node.get("items")), links, errorLinks);
            case "g" -> new GroupNode(text(node, "id"), nodes(node.get("items")), links, errorLinks);
            case "d" -> new ChordNode(text(node, "id"), nodes(node.path("header").get("items")),
                    node(node.required("body")), flag(node, "pass"), links, errorLinks);
            case "r" -> new ReportNode(text(node, "chord"), node.required("i").asInt(), node.required("n").asInt(),
                    flag(node, "pass"), errorLinks);
            default -> throw new IllegalArgumentException("unknown node kind \"" + kind + "\"");
        };
    }

    private static List<WorkflowNode> nodes(@Nullable JsonNode array) {
        if (array == null || array.isNull()) {
            return List.of();
        }
        List<WorkflowNode> nodes = new ArrayList<>(array.size());
        array.forEach(node -> nodes.add(node(node)));
        return nodes;
    }

    private static List<JsonNode> values(@Nullable JsonNode array) {
        List<JsonNode> values = new ArrayList<>();
        if (array != null) {
            array.forEach(values::add);
        }
        return values;
    }

    private static String text(JsonNode node, String name) {
        return node.required(name).asString();
    }

    private static boolean flag(JsonNode node, String name) {
        return node.path(name).asBoolean(false);
    }
}
