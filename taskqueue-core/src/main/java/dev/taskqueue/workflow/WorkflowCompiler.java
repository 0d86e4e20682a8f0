package dev.taskqueue.workflow;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.internal.OptionsJson;
import dev.taskqueue.workflow.Target.GroupTarget;
import dev.taskqueue.workflow.Target.TaskTarget;
import dev.taskqueue.workflow.WorkflowNode.ChainNode;
import dev.taskqueue.workflow.WorkflowNode.ChordNode;
import dev.taskqueue.workflow.WorkflowNode.GroupNode;
import dev.taskqueue.workflow.WorkflowNode.TaskNode;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns a {@link Signature} into {@link WorkflowNode}s at submit, in the submitting JVM: gives every task its id,
 * and checks every call against what this application knows of its task (arity, counting the previous step's
 * result as the first argument; queue; arguments that can be written as JSON). Returns what the workflow's handle
 * follows, and the groups whose members must be stored for their handles.
 */
final class WorkflowCompiler {

    private final StepSubmitter submitter;
    private final ObjectMapper mapper;

    WorkflowCompiler(StepSubmitter submitter, ObjectMapper mapper) {
        this.submitter = submitter;
        this.mapper = mapper;
    }

    /** A compiled workflow: its root node, what its handle follows, and the groups to store. */
    record Compiled(WorkflowNode root, Target target, List<GroupTarget> groups) {
    }

    private record Compiling(WorkflowNode node, Target target) {
    }

    Compiled compile(Signature<?> signature, TaskOptions defaults) {
        if (defaults.getTaskId() != null && !(signature instanceof TaskCall<?> call && !call.hasCallbacks())) {
            throw new IllegalArgumentException("A task id option names one task: set it on the TaskCall it is for "
                    + "(TaskCall.withOptions), not on the client for a whole workflow");
        }
        long tasks = taskCount(signature);
        int max = submitter.maxWorkflowTasks();
        if (tasks > max) {
            throw new IllegalArgumentException("This workflow has " + tasks + " tasks, more than the " + max
                    + " one submit may hold (taskqueue.max-workflow-tasks): it is compiled in the submitting JVM's "
                    + "memory, and a chord's callback receives every result in one list in the worker's. Split it: "
                    + "submit the group in chunks, each a chord whose callback combines its part");
        }
        List<GroupTarget> groups = new ArrayList<>();
        Compiling root = compile(signature, defaults, false, groups);
        return new Compiled(root.node(), root.target(), groups);
    }

    /** How many tasks a signature holds, links included; counted before anything is built. */
    static long taskCount(Signature<?> signature) {
        long count = 1; // a task
        if (signature instanceof Chain<?> chain) {
            count = chain.items().stream().mapToLong(WorkflowCompiler::taskCount).sum();
        }
        else if (signature instanceof Group<?> group) {
            count = group.members().stream().mapToLong(WorkflowCompiler::taskCount).sum();
        }
        else if (signature instanceof Chord<?> chord) {
            count = taskCount(chord.header()) + taskCount(chord.body());
        }
        for (Signature<?> link : signature.links()) {
            count += taskCount(link);
        }
        for (Signature<?> link : signature.errorLinks()) {
            count += taskCount(link);
        }
        return count;
    }

    /**
     * @param receivesResult whether the previous step's result is prepended to its first tasks' arguments
     * @param groups collects the groups it holds
     */
    private Compiling compile(Signature<?> signature, TaskOptions defaults, boolean receivesResult,
            List<GroupTarget> groups) {
        Compiling compiled;
        if (signature instanceof TaskCall<?> call) {
            compiled = compileTask(call, defaults, receivesResult);
        }
        else if (signature instanceof Chain<?> chain) {
            List<WorkflowNode> steps = new ArrayList<>();
            Target last = null;
            for (int i = 0; i < chain.items().size(); i++) {
                Compiling step = compile(chain.items().get(i), defaults, i > 0 || receivesResult, groups);
                steps.add(step.node());
                last = step.target();
            }
            compiled = new Compiling(new ChainNode(steps, List.of(), List.of()), last);
        }
        else if (signature instanceof Group<?> group) {
            String id = group.groupId() != null ? group.groupId() : TaskIds.next();
            List<WorkflowNode> members = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            for (Signature<?> member : group.members()) {
                Compiling compiledMember = compile(member, defaults, receivesResult, groups);
                members.add(compiledMember.node());
                targets.add(compiledMember.target());
            }
            GroupTarget target = new GroupTarget(id, targets);
            groups.add(target);
            compiled = new Compiling(new GroupNode(id, members, List.of(), List.of()), target);
        }
        else {
            Chord<?> chord = (Chord<?>) signature;
            GroupNode header = (GroupNode) compile(chord.header(), defaults, receivesResult, groups).node();
            Compiling body = compile(chord.body(), defaults, true, groups);
            compiled = new Compiling(new ChordNode(header.id(), header.members(), body.node(),
                    chord.passesFailures(), List.of(), List.of()), body.target());
        }
        if (!signature.hasCallbacks()) {
            return compiled;
        }
        List<WorkflowNode> links = new ArrayList<>();
        signature.links().forEach(link -> links.add(compile(link, defaults, true, groups).node()));
        List<WorkflowNode> errorLinks = new ArrayList<>();
        signature.errorLinks().forEach(err -> errorLinks.add(compile(err, defaults, true, groups).node()));
        return new Compiling(compiled.node().withCallbacks(links, errorLinks), compiled.target());
    }

    private Compiling compileTask(TaskCall<?> call, TaskOptions defaults, boolean receivesResult) {
        TaskOptions options = defaults.merge(call.options());
        String id = options.getTaskId() != null ? options.getTaskId() : TaskIds.next();
        TaskIds.check(id);
        StepSubmitter.Resolved resolved = submitter.resolve(call, options);
        boolean prepends = receivesResult && !call.isImmutable();
        List<String> parameters = resolved.parameterNames();
        if (parameters != null && parameters.size() != call.args().size() + (prepends ? 1 : 0)) {
            throw new IllegalArgumentException("Task '" + call.taskName() + "' takes " + parameters.size()
                    + " argument(s) " + parameters + ", but in this workflow it gets " + (prepends
                            ? "the previous step's result and " + call.args().size() + " more"
                            : call.args().size()) + (prepends ? "; build it with TaskCall.partial, or make it "
                                    + "immutable() to ignore the previous result" : ""));
        }
        List<JsonNode> args = new ArrayList<>(call.args().size());
        for (Object arg : call.args()) {
            try {
                args.add(arg == null ? mapper.nullNode() : mapper.valueToTree(arg));
            }
            catch (JacksonException ex) {
                throw new IllegalArgumentException("The arguments of task '" + call.taskName() + "' cannot be "
                        + "written as JSON: " + ex.getOriginalMessage() + ". Pass data (records, strings, numbers, "
                        + "collections)", ex);
            }
        }
        TaskNode node = new TaskNode(id, call.taskName(), resolved.queue(), args, call.isImmutable(),
                OptionsJson.write(mapper, options), List.of(), List.of());
        return new Compiling(node, new TaskTarget(id, resolved.queue(), call.resultType()));
    }
}
