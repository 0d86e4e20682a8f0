package dev.taskqueue.workflow;

import java.util.ArrayList;
import java.util.List;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskError;
import dev.taskqueue.TaskFailure;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskState;
import dev.taskqueue.workflow.Target.GroupTarget;
import dev.taskqueue.workflow.Target.TaskTarget;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.broker.WorkflowStore;
import dev.taskqueue.broker.WorkflowStore.ChordProgress;
import dev.taskqueue.internal.OptionsJson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs workflows ({@link Chain}, {@link Group}, {@link Chord}, links and error links) without a coordinator.
 *
 * <p><b>Compile.</b> At submit, the client turns the signature into a tree of JSON nodes and gives every task in
 * it an id up front. Only the tasks that can start at once are stored; each carries, in its message ({@code wf}),
 * the nodes that run after it: {@code link} (with its result), {@code err} (with a {@link TaskFailure}).
 *
 * <p><b>Continue.</b> When a task ends, the worker that ran it starts what follows <i>before</i> acknowledging it.
 * Every id is fixed, and submitting an id that exists does nothing, so a redelivered task starts its successors
 * again harmlessly: each is stored once. A chord's header tasks carry a report node; reports are recorded
 * atomically per member index, and whoever sees the last one starts the body (with a fixed id: once).
 *
 * <p><b>Fail.</b> A task that fails for good (or is revoked) runs its error links, and marks every task after it
 * that will now never run as FAILURE (or REVOKED) with its error, so that waiting handles fail at once, naming
 * the task that failed. In a chord, the first failed member fails the chord (unless failures pass through).
 *
 * <p>Node kinds: {@code t} task {id, task, q, args, imm, o (options)}, {@code c} chain {items}, {@code g} group
 * {id, items}, {@code d} chord {id, header (a group node), body, pass}, {@code r} report to a chord {chord, i, n,
 * pass, body, err}. Any node may have {@code link} and {@code err}.
 */
public final class WorkflowEngine {

    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);

    private final WorkflowStore store;
    private final StepSubmitter submitter;
    private final ObjectMapper mapper;
    private final long ttlMillis;

    /**
     * @param store where groups, chords and the records of abandoned steps are kept
     * @param submitter how steps are stored: as a client submits a call
     * @param mapper the application's mapper
     * @param ttlMillis how long groups, chords and abandoned records are kept: the result TTL
     */
    public WorkflowEngine(WorkflowStore store, StepSubmitter submitter, ObjectMapper mapper, long ttlMillis) {
        this.store = store;
        this.submitter = submitter;
        this.mapper = mapper;
        this.ttlMillis = ttlMillis;
    }

    // ------------------------------------------------------------------------------------------ compile

    /** A compiled workflow: its root node, what its handle follows, and the groups to record. */
    private record Compiled(ObjectNode root, Target target, List<GroupTarget> groups) {
    }

    /**
     * Gives every task an id and checks every call against what this application knows of its task: arity (the
     * previous step's result counts as the first argument), queue, arguments that can be written as JSON.
     */
    private Compiled compile(Signature<?> signature, TaskOptions defaults) {
        if (defaults.getTaskId() != null && !(signature instanceof TaskCall<?> call && !call.hasCallbacks())) {
            throw new IllegalArgumentException("A task id option names one task: set it on the TaskCall it is for "
                    + "(TaskCall.withOptions), not on the client for a whole workflow");
        }
        long tasks = taskCount(signature);
        if (tasks > submitter.maxWorkflowTasks()) {
            throw new IllegalArgumentException("This workflow has " + tasks + " tasks, more than the "
                    + submitter.maxWorkflowTasks() + " one submit may hold (taskqueue.max-workflow-tasks): it is compiled in the "
                    + "submitting JVM's memory, and a chord's callback receives every result in one list in the "
                    + "worker's. Split it: submit the group in chunks, each a chord whose callback combines its part");
        }
        List<GroupTarget> groups = new ArrayList<>();
        Compiling root = compile(signature, defaults, false, groups);
        return new Compiled(root.node, root.target, groups);
    }

    /** How many tasks a signature holds, links included; counted before anything is built. */
    static long taskCount(Signature<?> signature) {
        long count = 1; // a task
        if (signature instanceof Chain<?> chain) {
            count = chain.items().stream().mapToLong(WorkflowEngine::taskCount).sum();
        }
        else if (signature instanceof Group<?> group) {
            count = group.members().stream().mapToLong(WorkflowEngine::taskCount).sum();
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

    private record Compiling(ObjectNode node, Target target) {
    }

    private Compiling compile(Signature<?> signature, TaskOptions defaults, boolean receivesResult,
            List<GroupTarget> groups) {
        Compiling compiled;
        if (signature instanceof TaskCall<?> call) {
            compiled = compileTask(call, defaults, receivesResult);
        }
        else if (signature instanceof Chain<?> chain) {
            ObjectNode node = kind("c");
            ArrayNode items = node.putArray("items");
            Target last = null;
            for (int i = 0; i < chain.items().size(); i++) {
                Compiling item = compile(chain.items().get(i), defaults, i > 0 || receivesResult, groups);
                items.add(item.node);
                last = item.target;
            }
            compiled = new Compiling(node, last);
        }
        else if (signature instanceof Group<?> group) {
            ObjectNode node = kind("g");
            String id = group.groupId() != null ? group.groupId() : TaskIds.next();
            node.put("id", id);
            ArrayNode items = node.putArray("items");
            List<Target> members = new ArrayList<>();
            for (Signature<?> member : group.members()) {
                Compiling item = compile(member, defaults, receivesResult, groups);
                items.add(item.node);
                members.add(item.target);
            }
            GroupTarget target = new GroupTarget(id, members);
            groups.add(target);
            compiled = new Compiling(node, target);
        }
        else {
            Chord<?> chord = (Chord<?>) signature;
            ObjectNode node = kind("d");
            Compiling header = compile(chord.header(), defaults, receivesResult, groups);
            node.put("id", ((GroupTarget) header.target).id());
            node.set("header", header.node);
            Compiling body = compile(chord.body(), defaults, true, groups);
            node.set("body", body.node);
            if (chord.passesFailures()) {
                node.put("pass", true);
            }
            compiled = new Compiling(node, body.target);
        }
        if (!signature.links().isEmpty()) {
            ArrayNode links = compiled.node.putArray("link");
            signature.links().forEach(link -> links.add(compile(link, defaults, true, groups).node));
        }
        if (!signature.errorLinks().isEmpty()) {
            ArrayNode errs = compiled.node.putArray("err");
            signature.errorLinks().forEach(err -> errs.add(compile(err, defaults, true, groups).node));
        }
        return compiled;
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
        ObjectNode node = kind("t");
        node.put("id", id);
        node.put("task", call.taskName());
        node.put("q", resolved.queue());
        ArrayNode args = node.putArray("args");
        for (Object arg : call.args()) {
            try {
                args.add(mapper.valueToTree(arg));
            }
            catch (JacksonException ex) {
                throw new IllegalArgumentException("The arguments of task '" + call.taskName() + "' cannot be "
                        + "written as JSON: " + ex.getOriginalMessage() + ". Pass data (records, strings, numbers, "
                        + "collections)", ex);
            }
        }
        if (call.isImmutable()) {
            node.put("imm", true);
        }
        JsonNode written = OptionsJson.write(mapper, options.queue(resolved.queue()));
        node.set("o", written);
        return new Compiling(node, new TaskTarget(id, resolved.queue(), call.resultType()));
    }

    private ObjectNode kind(String kind) {
        ObjectNode node = mapper.createObjectNode();
        node.put("k", kind);
        return node;
    }

    // ------------------------------------------------------------------------------------------ start

    /**
     * Compiles a signature, stores its groups' member lists, then submits what can start at once. Returns what its
     * handle follows.
     */
    public Target submit(Signature<?> signature, TaskOptions defaults) {
        Compiled compiled = compile(signature, defaults);
        submit(List.of(compiled));
        return compiled.target();
    }

    /**
     * Submits calls, some with callbacks, together: each is checked (compiled, then its message's size) before
     * any is sent. Returns what each one's handle follows.
     */
    public List<Target> submitCalls(List<? extends TaskCall<?>> calls, TaskOptions defaults) {
        List<Compiled> compiled = calls.stream().map(call -> compile(call, defaults)).toList();
        submit(compiled);
        return compiled.stream().map(Compiled::target).toList();
    }

    private void submit(List<Compiled> workflows) {
        for (Compiled compiled : workflows) {
            for (GroupTarget group : compiled.groups()) {
                store.saveGroup(group.id(), group.members().stream().map(WorkflowEngine::member).toList(),
                        ttlMillis);
            }
        }
        Run run = new Run(null, null);
        workflows.forEach(compiled -> start(compiled.root(), null, run, List.of(), List.of()));
        run.flush();
    }

    private static WorkflowStore.Member member(Target target) {
        if (target instanceof TaskTarget task) {
            return new WorkflowStore.Member(task.id(), task.queue());
        }
        return new WorkflowStore.Member(((GroupTarget) target).id(), ""); // a nested group: no queue
    }

    /**
     * Starts a node: submits its first tasks (into {@code run}), with {@code parent} as the previous step's
     * result (null: none, at the top of a submission), and {@code links}/{@code errs} added to its own.
     */
    private void start(JsonNode node, @Nullable JsonNode parent, Run run, List<JsonNode> extraLinks,
            List<JsonNode> extraErrs) {
        List<JsonNode> links = plus(node.get("link"), extraLinks);
        List<JsonNode> errs = plus(node.get("err"), extraErrs);
        switch (node.get("k").asString()) {
            case "t" -> startTask(node, parent, run, links, errs);
            case "c" -> {
                JsonNode items = node.get("items");
                if (items.size() == 1) {
                    start(items.get(0), parent, run, links, errs);
                }
                else {
                    ObjectNode rest = kind("c");
                    ArrayNode restItems = rest.putArray("items");
                    for (int i = 1; i < items.size(); i++) {
                        restItems.add(items.get(i));
                    }
                    setList(rest, "link", links);
                    setList(rest, "err", errs);
                    start(items.get(0), parent, run, List.of(rest), errs);
                }
            }
            case "g" -> {
                if (links.isEmpty()) {
                    for (JsonNode member : node.get("items")) {
                        start(member, parent, run, List.of(), errs);
                    }
                }
                else { // a group followed by more work is a chord's header
                    JsonNode body = links.size() == 1 ? links.get(0) : groupOf(node.get("id").asString() + ".then",
                            links);
                    startChord(node.get("id").asString(), node.get("items"), body, false, parent, run, errs);
                }
            }
            case "d" -> {
                ObjectNode body = (ObjectNode) node.get("body").deepCopy();
                setList(body, "link", plus(body.get("link"), links));
                startChord(node.get("id").asString(), node.get("header").get("items"), body,
                        node.path("pass").asBoolean(false), parent, run, errs);
            }
            case "r" -> report(node, parent == null ? "null" : mapper.writeValueAsString(parent), run);
            default -> throw new IllegalStateException("Unknown workflow node: " + node);
        }
    }

    private void startTask(JsonNode node, @Nullable JsonNode parent, Run run, List<JsonNode> links,
            List<JsonNode> errs) {
        List<Object> args = new ArrayList<>();
        if (parent != null && !node.path("imm").asBoolean(false)) {
            args.add(parent);
        }
        node.get("args").forEach(args::add);
        TaskOptions options = OptionsJson.read(node.get("o")).taskId(node.get("id").asString())
                .queue(node.get("q").asString());
        TaskCall<Object> call = TaskCall.of(node.get("task").asString(), args.toArray()).withOptions(options);
        ObjectNode workflow = null;
        if (!links.isEmpty() || !errs.isEmpty()) {
            workflow = mapper.createObjectNode();
            setList(workflow, "link", links);
            setList(workflow, "err", errs);
        }
        run.add(node, call, workflow);
    }

    private void startChord(String chordId, JsonNode items, JsonNode body, boolean passFailures,
            @Nullable JsonNode parent, Run run, List<JsonNode> errs) {
        ObjectNode fullBody = (ObjectNode) body.deepCopy();
        setList(fullBody, "err", plus(fullBody.get("err"), errs)); // the body failing fails the chord too
        if (items.isEmpty()) {
            start(fullBody, mapper.createArrayNode(), run.child(chordId), List.of(), List.of());
            return;
        }
        // Named for operators by its first task; a group nested in a header has no task after it, only the report
        // to the outer chord (and an empty group none at all).
        JsonNode first = firstTask(fullBody);
        String firstId = first.path("k").asString().equals("t") ? first.get("id").asString() : "";
        String firstName = firstId.isEmpty() ? "" : first.get("task").asString();
        // The body is kept once, with the chord, not in each of its (perhaps thousands of) header messages; the
        // report that completes or fails the chord gets it back.
        store.openChord(chordId, items.size(), mapper.writeValueAsString(fullBody), firstId, firstName, ttlMillis);
        for (int i = 0; i < items.size(); i++) {
            ObjectNode report = kind("r");
            report.put("chord", chordId);
            report.put("i", i);
            report.put("n", items.size());
            if (passFailures) {
                report.put("pass", true);
            }
            setList(report, "err", errs);
            start(items.get(i), parent, run, List.of(report), List.of());
        }
    }

    /** A header task finished: record its result, and start the body if it was the last. */
    private void report(JsonNode report, String resultJson, Run run) {
        String chordId = report.get("chord").asString();
        ChordProgress progress = store.reportToChord(chordId, report.get("i").asInt(), report.get("n").asInt(),
                resultJson, null, ttlMillis);
        if (progress.kind() == ChordProgress.Kind.COMPLETE) {
            completeChord(chordId, progress, run);
        }
    }

    private void completeChord(String chordId, ChordProgress progress, Run run) {
        ArrayNode results = mapper.createArrayNode();
        for (String json : progress.resultsJson()) {
            results.add(json == null ? mapper.nullNode() : mapper.readTree(json));
        }
        start(body(chordId, progress), results, run.child(chordId), List.of(), List.of());
        run.afterFlush(() -> store.closeChord(chordId));
    }

    /** What runs after a chord, as stored when it opened. */
    private JsonNode body(String chordId, ChordProgress progress) {
        String json = progress.bodyJson();
        if (json == null) {
            throw new IllegalStateException("Chord [" + chordId + "] has no stored state: it expired (no header "
                    + "task reported for the result TTL, taskqueue.result-ttl); its callback cannot run");
        }
        return mapper.readTree(json);
    }

    // ------------------------------------------------------------------------------------------ continue

    /** A task of a workflow succeeded: start what follows it, with its result. */
    public void succeeded(TaskMessage message, @Nullable String resultJson) {
        JsonNode workflow = message.workflow();
        if (workflow == null || !workflow.has("link")) {
            return;
        }
        Run run = new Run(message.id(), message.rootId() != null ? message.rootId() : message.id());
        JsonNode result = null; // read only for links that take it as an argument: a chord member's report does not
        for (JsonNode link : workflow.get("link")) {
            if (link.get("k").asString().equals("r")) {
                report(link, resultJson == null ? "null" : resultJson, run);
                continue;
            }
            if (result == null) {
                result = resultJson == null ? mapper.nullNode() : mapper.readTree(resultJson);
            }
            start(link, result, run, List.of(), List.of());
        }
        run.flush();
    }

    /**
     * A task of a workflow failed for good, or was revoked: run its error links, and mark what will now never run.
     *
     * @param revoked whether it was revoked (what follows reads REVOKED) rather than failed
     */
    public void failed(TaskMessage message, TaskError error, boolean revoked) {
        JsonNode workflow = message.workflow();
        if (workflow == null) {
            return;
        }
        Run run = new Run(message.id(), message.rootId() != null ? message.rootId() : message.id());
        TaskFailure failure = new TaskFailure(message.id(), message.task(), error.type(), error.message());
        String verb = revoked ? "was revoked" : "failed";
        stepFailed(workflow, new Cause(revoked ? TaskState.REVOKED : TaskState.FAILURE, error.type(), "Task '"
                + message.task() + "' [" + message.id() + "] " + verb + ": " + error.message(), error.stackTrace(),
                failure), run);
        run.flush();
    }

    /** A step ended without a result: its error links start with the failure; what follows it will never run. */
    private void stepFailed(JsonNode workflow, Cause cause, Run run) {
        for (JsonNode err : workflow.path("err")) {
            start(err, mapper.valueToTree(cause.failure()), run, List.of(), List.of());
        }
        for (JsonNode link : workflow.path("link")) {
            abandon(link, cause, run);
        }
    }

    /** Why tasks will never run: the state and error they take, and the failure their error links receive. */
    private record Cause(TaskState state, String errorType, String message, @Nullable String stack,
            TaskFailure failure) {
    }

    /** Marks every task of a node as never run, and fails the chords it reports to. */
    private void abandon(JsonNode node, Cause cause, Run run) {
        switch (node.get("k").asString()) {
            case "t" -> run.markAbandoned(new WorkflowStore.Abandoned(node.get("q").asString(),
                    node.get("id").asString(), node.get("task").asString(), cause.state(), cause.errorType(),
                    cause.message(), cause.stack()));
            case "c", "g" -> node.get("items").forEach(item -> abandon(item, cause, run));
            case "d" -> {
                node.get("header").get("items").forEach(item -> abandon(item, cause, run));
                abandon(node.get("body"), cause, run);
            }
            case "r" -> chordMemberFailed(node, cause, run);
            default -> throw new IllegalStateException("Unknown workflow node: " + node);
        }
        for (JsonNode link : node.path("link")) {
            abandon(link, cause, run);
        }
    }

    private void chordMemberFailed(JsonNode report, Cause cause, Run run) {
        String chordId = report.get("chord").asString();
        int index = report.get("i").asInt();
        int size = report.get("n").asInt();
        if (report.path("pass").asBoolean(false)) {
            ChordProgress progress = store.reportToChord(chordId, index, size, null, null, ttlMillis);
            if (progress.kind() == ChordProgress.Kind.COMPLETE) {
                completeChord(chordId, progress, run);
            }
            return;
        }
        String description = "Chord member " + (index + 1) + " of " + size + ": " + cause.message();
        ChordProgress progress = store.reportToChord(chordId, index, size, null, description, ttlMillis);
        if (progress.kind() == ChordProgress.Kind.FAILED_NOW) {
            log.warn("Chord [{}] failed: {}", chordId, description);
        }
        for (JsonNode err : report.path("err")) {
            start(err, mapper.valueToTree(cause.failure()), run, List.of(), List.of());
        }
        abandon(body(chordId, progress), new Cause(cause.state(), cause.errorType(), description, cause.stack(),
                cause.failure()), run);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The first task a node would run: the one an open chord names for its body. */
    private static JsonNode firstTask(JsonNode node) {
        return switch (node.get("k").asString()) {
            case "t" -> node;
            case "c", "g" -> node.get("items").isEmpty() ? node : firstTask(node.get("items").get(0));
            case "d" -> node.get("header").get("items").isEmpty() ? firstTask(node.get("body"))
                    : firstTask(node.get("header").get("items").get(0));
            default -> node;
        };
    }

    private ObjectNode groupOf(String id, List<JsonNode> members) {
        ObjectNode group = kind("g");
        group.put("id", id);
        setList(group, "items", members);
        return group;
    }

    private static List<JsonNode> plus(@Nullable JsonNode own, List<JsonNode> extra) {
        if ((own == null || own.isEmpty()) && extra.isEmpty()) {
            return List.of();
        }
        List<JsonNode> all = new ArrayList<>();
        if (own != null) {
            own.forEach(all::add);
        }
        all.addAll(extra);
        return all;
    }

    private static void setList(ObjectNode node, String name, List<JsonNode> values) {
        if (values.isEmpty()) {
            node.remove(name);
        }
        else {
            ArrayNode array = node.putArray(name);
            values.forEach(array::add);
        }
    }

    /**
     * The tasks one submission or one continuation stores, in one round trip: prepared (through the
     * interceptors) and checked only at flush. A step that cannot be stored (arguments too large, say) is marked
     * FAILURE with the reason rather than retried forever.
     */
    private final class Run {

        private final @Nullable String parentId;
        private final @Nullable String rootId;
        private final List<JsonNode> nodes = new ArrayList<>();
        private final List<TaskCall<?>> calls = new ArrayList<>();
        private final List<StepSubmitter.Lineage> lineages = new ArrayList<>();
        private final List<WorkflowStore.Abandoned> abandoned = new ArrayList<>();
        private final List<Runnable> afterFlush = new ArrayList<>();
        private final @Nullable Run owner;

        Run(@Nullable String parentId, @Nullable String rootId) {
            this(parentId, rootId, null);
        }

        private Run(@Nullable String parentId, @Nullable String rootId, @Nullable Run owner) {
            this.parentId = parentId;
            this.rootId = rootId;
            this.owner = owner;
        }

        /** A run whose tasks name another parent (a chord's body names the chord), flushed with this one. */
        Run child(String parent) {
            return new Run(parent, rootId != null ? rootId : parent, root());
        }

        private Run root() {
            return owner != null ? owner : this;
        }

        void add(JsonNode node, TaskCall<?> call, @Nullable JsonNode workflow) {
            Run target = root();
            target.nodes.add(node);
            target.calls.add(call);
            target.lineages.add(new StepSubmitter.Lineage(parentId, rootId, workflow));
        }

        void markAbandoned(WorkflowStore.Abandoned task) {
            root().abandoned.add(task);
        }

        void afterFlush(Runnable action) {
            root().afterFlush.add(action);
        }

        List<SubmitResult> flush() {
            Run target = root();
            List<SubmitResult> results = target.calls.isEmpty() ? List.of()
                    : submitter.aroundSubmit(target.calls, target::store);
            if (!target.abandoned.isEmpty()) {
                store.abandon(target.abandoned, ttlMillis);
            }
            target.afterFlush.forEach(Runnable::run);
            return results;
        }

        private List<SubmitResult> store() {
            List<OutgoingMessage> messages = new ArrayList<>(calls.size());
            Run errorLinks = new Run(parentId, rootId); // of steps that cannot be submitted, after these
            for (int i = 0; i < calls.size(); i++) {
                try {
                    messages.add(submitter.prepare(calls.get(i), lineages.get(i)));
                }
                catch (IllegalArgumentException | PayloadTooLargeException ex) {
                    if (parentId == null) {
                        throw ex; // at submit: the caller hears it
                    }
                    JsonNode node = nodes.get(i);
                    String id = node.get("id").asString();
                    String task = node.get("task").asString();
                    log.error("Workflow step {} [{}] cannot be submitted: {}", task, id, ex.getMessage());
                    Cause cause = new Cause(TaskState.FAILURE, ex.getClass().getName(), "Could not submit task '"
                            + task + "' [" + id + "]: " + ex.getMessage(), null,
                            new TaskFailure(id, task, ex.getClass().getName(), ex.getMessage()));
                    abandon(node, cause, this);
                    JsonNode workflow = lineages.get(i).workflow();
                    if (workflow != null) {
                        stepFailed(workflow, cause, errorLinks);
                    }
                }
            }
            List<SubmitResult> results = List.of();
            if (!messages.isEmpty()) {
                results = submitter.submit(messages);
            }
            errorLinks.flush();
            return results;
        }
    }
}
