package dev.taskqueue.workflow;

import static dev.taskqueue.workflow.WorkflowNode.concat;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.WorkflowStore.ChordProgress;
import dev.taskqueue.internal.OptionsJson;
import dev.taskqueue.workflow.WorkflowFormat.Continuation;
import dev.taskqueue.workflow.WorkflowNode.ChainNode;
import dev.taskqueue.workflow.WorkflowNode.ChordNode;
import dev.taskqueue.workflow.WorkflowNode.GroupNode;
import dev.taskqueue.workflow.WorkflowNode.ReportNode;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Starts workflow nodes: puts the tasks that can run now into a {@link StepBatch}, each with what follows it in
 * its message; opens chords, records their members' reports, and starts a chord's body once, when its last member
 * reported.
 */
final class StepStarter {

    private final EngineParts parts;

    StepStarter(EngineParts parts) {
        this.parts = parts;
    }

    /**
     * Starts a node: its first tasks go into {@code batch}.
     *
     * @param parent the previous step's result, given to its first tasks; null at the top of a submission
     * @param extraLinks run after it, after its own links
     * @param extraErrorLinks run if it fails, after its own error links
     */
    void start(WorkflowNode node, @Nullable JsonNode parent, StepBatch batch, List<WorkflowNode> extraLinks,
            List<WorkflowNode> extraErrorLinks) {
        List<WorkflowNode> links = concat(node.links(), extraLinks);
        List<WorkflowNode> errorLinks = concat(node.errorLinks(), extraErrorLinks);
        if (node instanceof TaskNode task) {
            startTask(task, parent, batch, links, errorLinks);
        }
        else if (node instanceof ChainNode chain) {
            List<WorkflowNode> steps = chain.steps();
            if (steps.size() == 1) {
                start(steps.get(0), parent, batch, links, errorLinks);
            }
            else {
                ChainNode rest = new ChainNode(steps.subList(1, steps.size()), links, errorLinks);
                start(steps.get(0), parent, batch, List.of(rest), errorLinks);
            }
        }
        else if (node instanceof GroupNode group) {
            if (links.isEmpty()) {
                for (WorkflowNode member : group.members()) {
                    start(member, parent, batch, List.of(), errorLinks);
                }
            }
            else { // a group followed by more work is a chord's header
                WorkflowNode body = links.size() == 1 ? links.get(0)
                        : new GroupNode(group.id() + ".then", links, List.of(), List.of());
                openChord(group.id(), group.members(), body, false, parent, batch, errorLinks);
            }
        }
        else if (node instanceof ChordNode chord) {
            WorkflowNode body = chord.body().withCallbacks(concat(chord.body().links(), links),
                    chord.body().errorLinks());
            openChord(chord.id(), chord.header(), body, chord.passFailures(), parent, batch, errorLinks);
        }
        else {
            report((ReportNode) node, parent == null ? "null" : parts.format().text(parent), batch);
        }
    }

    private void startTask(TaskNode task, @Nullable JsonNode parent, StepBatch batch, List<WorkflowNode> links,
            List<WorkflowNode> errorLinks) {
        List<Object> args = new ArrayList<>(task.args().size() + 1);
        if (parent != null && !task.immutable()) {
            args.add(parent);
        }
        args.addAll(task.args());
        TaskOptions options = OptionsJson.read(task.options()).taskId(task.id()).queue(task.queue());
        TaskCall<Object> call = TaskCall.of(task.task(), args.toArray()).withOptions(options);
        batch.add(task, call, links.isEmpty() && errorLinks.isEmpty() ? null : new Continuation(links, errorLinks));
    }

    /**
     * Opens a chord and starts its header, each member reporting to it by position. The body is kept once, with
     * the chord, not in each of its (perhaps thousands of) members' messages; the report that completes or fails
     * the chord gets it back.
     */
    private void openChord(String chordId, List<WorkflowNode> header, WorkflowNode body, boolean passFailures,
            @Nullable JsonNode parent, StepBatch batch, List<WorkflowNode> errorLinks) {
        // The body failing fails the chord too.
        WorkflowNode fullBody = body.withCallbacks(body.links(), concat(body.errorLinks(), errorLinks));
        if (header.isEmpty()) {
            start(fullBody, parts.format().results(List.of()), batch.child(chordId), List.of(), List.of());
            return;
        }
        // Named for operators by its first task; a group nested in a header has no task after it, only the report
        // to the outer chord (and an empty group none at all).
        TaskNode first = firstTask(fullBody);
        parts.store().openChord(chordId, header.size(), parts.format().writeBody(fullBody),
                first != null ? first.id() : "", first != null ? first.task() : "", parts.ttlMillis());
        for (int i = 0; i < header.size(); i++) {
            ReportNode report = new ReportNode(chordId, i, header.size(), passFailures, errorLinks);
            start(header.get(i), parent, batch, List.of(report), List.of());
        }
    }

    /** A chord member finished: record its result, and start the body if it was the last. */
    void report(ReportNode report, String resultJson, StepBatch batch) {
        ChordProgress progress = parts.store().reportToChord(report.chord(), report.index(), report.size(),
                resultJson, null, parts.ttlMillis());
        if (progress.kind() == ChordProgress.Kind.COMPLETE) {
            completeChord(report.chord(), progress, batch);
        }
    }

    /** Starts a chord's body with every member's result, in order. */
    void completeChord(String chordId, ChordProgress progress, StepBatch batch) {
        start(body(chordId, progress), parts.format().results(progress.resultsJson()), batch.child(chordId),
                List.of(), List.of());
        batch.afterFlush(() -> parts.store().closeChord(chordId));
    }

    /** What runs after a chord, as kept when it opened. */
    WorkflowNode body(String chordId, ChordProgress progress) {
        String json = progress.bodyJson();
        if (json == null) {
            throw new IllegalStateException("Chord [" + chordId + "] has no stored state: it expired (no header "
                    + "task reported for the result TTL, taskqueue.result-ttl); its callback cannot run");
        }
        return parts.format().readBody(json);
    }

    /** The first task a node would run: the one an open chord names for its body; null when it has none. */
    private static @Nullable TaskNode firstTask(WorkflowNode node) {
        if (node instanceof TaskNode task) {
            return task;
        }
        if (node instanceof ChainNode chain) {
            return firstTask(chain.steps().get(0));
        }
        if (node instanceof GroupNode group) {
            return group.members().isEmpty() ? null : firstTask(group.members().get(0));
        }
        if (node instanceof ChordNode chord) {
            return firstTask(chord.header().isEmpty() ? chord.body() : chord.header().get(0));
        }
        return null; // a report
    }
}
