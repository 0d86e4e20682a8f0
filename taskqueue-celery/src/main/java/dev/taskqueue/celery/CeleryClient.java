package dev.taskqueue.celery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.taskqueue.Chain;
import dev.taskqueue.Chord;
import dev.taskqueue.Group;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.internal.WorkflowCalls;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends calls and workflows to Celery queues as Celery's own client does, so that Python workers (and Java ones)
 * run them, and hands out handles that follow them in Celery's result backend:
 * <ol>
 * <li>a call becomes one protocol 2 message: its arguments (a trailing {@link Kwargs} as keyword arguments), its
 * options as Celery's ({@code countdown}/{@code eta}, {@code expires}, {@code priority}, time limits, headers;
 * the headers {@code retries} and {@code shadow} set Celery's own);</li>
 * <li>links and error links become the message's {@code callbacks} and {@code errbacks};</li>
 * <li>a chain becomes its first step with the others, reversed, in {@code embed.chain};</li>
 * <li>a group becomes a message per member sharing a group id (its result saved as Celery saves a group's);</li>
 * <li>a chord writes its size ({@code celery-taskset-meta-<gid>.s}) first, then sends its header, each member
 * carrying the body, which whoever completes the chord (Python or Java) sends.</li>
 * </ol>
 * Every id is chosen here, so that the handle of a chain's last step or a chord's body exists at once.
 */
final class CeleryClient {

    private final CeleryRedis redis;
    private final CeleryRoutes routes;
    private final CeleryResults results;
    private final CeleryControl control;
    private final TaskRegistry registry;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final String origin = CeleryProtocol.origin();

    CeleryClient(CeleryRedis redis, CeleryRoutes routes, CeleryResults results, CeleryControl control,
            TaskRegistry registry, ObjectMapper mapper, Clock clock) {
        this.redis = redis;
        this.routes = routes;
        this.results = results;
        this.control = control;
        this.registry = registry;
        this.mapper = mapper;
        this.clock = clock;
    }

    CeleryRoutes routes() {
        return routes;
    }

    /** The Celery queue this call goes to, or null when it is not a Celery call. */
    @Nullable String queueOf(TaskCall<?> call, TaskOptions defaults) {
        TaskDefinition declared = registry.find(call.taskName());
        return routes.queueOf(call.taskName(), defaults.merge(call.options()).getQueue(),
                declared != null ? declared.queue() : null);
    }

    /** Whether any call in this signature goes to a Celery queue. */
    boolean involves(Signature<?> signature, TaskOptions defaults) {
        return WorkflowCalls.of(signature).stream().anyMatch(call -> queueOf(call, defaults) != null);
    }

    /** Sends calls (with their links) in one round trip; their handles in the same order. */
    List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls, TaskOptions defaults) {
        calls.forEach(call -> requireAllCelery(call, defaults));
        List<CeleryOutgoing> messages = new ArrayList<>(calls.size());
        List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
        for (TaskCall<?> call : calls) {
            CeleryOutgoing message = message(call, defaults, idOf(call, defaults));
            messages.add(message);
            handles.add(handle(message.id, message.queue, call));
        }
        publish(messages);
        return handles;
    }

    /** Sends a workflow; the handle follows what completes it (a chain's last step, a chord's body). */
    TaskHandle<?> submit(Signature<?> signature, TaskOptions defaults) {
        requireAllCelery(signature, defaults);
        if (signature instanceof Chain<?> chain) {
            return submitChain(chain, defaults);
        }
        if (signature instanceof Chord<?> chord) {
            return submitChord(chord, defaults);
        }
        if (signature instanceof Group<?> group) {
            return submitGroup(group, defaults);
        }
        return submitAll(List.of((TaskCall<?>) signature), defaults).get(0);
    }

    private TaskHandle<?> submitChain(Chain<?> chain, TaskOptions defaults) {
        List<TaskCall<?>> steps = new ArrayList<>();
        for (Signature<?> item : chain.items()) {
            if (!(item instanceof TaskCall<?> call)) {
                throw new IllegalArgumentException("On Celery queues, a chain's steps are single tasks, but " + chain
                        + " has " + item + ": send the group or chord on its own, or as the chain's last step's link");
            }
            steps.add(call);
        }
        List<String> ids = steps.stream().map(call -> idOf(call, defaults)).toList();
        ArrayNode rest = CeleryJson.MAPPER.createArrayNode();
        for (int i = steps.size() - 1; i >= 1; i--) { // reversed: the last element runs next
            rest.add(signature(steps.get(i), defaults, ids.get(i), i == steps.size() - 1 ? chain : null, chain));
        }
        CeleryOutgoing first = message(steps.get(0), defaults, ids.get(0));
        if (!rest.isEmpty()) {
            first.embed.set("chain", rest);
        }
        else {
            addLinks(first.embed, chain, defaults);
        }
        addErrorLinks(first.embed, chain, defaults);
        publish(List.of(first));
        TaskCall<?> last = steps.get(steps.size() - 1);
        return handle(ids.get(ids.size() - 1), queueOf(last, defaults), last);
    }

    private CeleryGroupHandle<?> submitGroup(Group<?> group, TaskOptions defaults) {
        String groupId = group.groupId() != null ? group.groupId() : UUID.randomUUID().toString();
        List<CeleryOutgoing> messages = members(group, groupId, defaults, null);
        saveGroup(groupId, messages);
        publish(messages);
        List<CeleryTaskHandle<Object>> handles = new ArrayList<>();
        for (CeleryOutgoing message : messages) {
            handles.add(new CeleryTaskHandle<>(message.id, message.queue, Object.class, results, control, mapper));
        }
        return new CeleryGroupHandle<>(groupId, handles);
    }

    private TaskHandle<?> submitChord(Chord<?> chord, TaskOptions defaults) {
        if (!(chord.body() instanceof TaskCall<?> body)) {
            throw new IllegalArgumentException("On Celery queues, a chord's body is a single task, but " + chord
                    + " has " + chord.body());
        }
        String groupId = chord.header().groupId() != null ? chord.header().groupId() : UUID.randomUUID().toString();
        String bodyId = idOf(body, defaults);
        ObjectNode bodySignature = signature(body, defaults, bodyId, chord, chord);
        List<CeleryOutgoing> header = members(chord.header(), groupId, defaults, bodySignature);
        // The size first: a member that ends before it is written would find the chord incomplete for ever.
        redis.await(setKept(CeleryKeys.chordSize(groupId), Integer.toString(header.size())), "write a chord's size");
        publish(header);
        return handle(bodyId, queueOf(body, defaults), body);
    }

    private List<CeleryOutgoing> members(Group<?> group, String groupId, TaskOptions defaults,
            @Nullable ObjectNode chordBody) {
        List<CeleryOutgoing> messages = new ArrayList<>();
        int index = 0;
        for (Signature<?> member : group.members()) {
            if (!(member instanceof TaskCall<?> call)) {
                throw new IllegalArgumentException("On Celery queues, a group's members are single tasks, but "
                        + group + " has " + member);
            }
            CeleryOutgoing message = message(call, defaults, idOf(call, defaults));
            message.groupId = groupId;
            message.groupIndex = index++;
            if (chordBody != null) {
                message.embed.set("chord", chordBody);
            }
            messages.add(message);
        }
        return messages;
    }

    /** Saves a group's result as Celery's {@code GroupResult.save()}, so that Python can restore it by id. */
    private void saveGroup(String groupId, List<CeleryOutgoing> members) {
        ArrayNode tuple = CeleryJson.MAPPER.createArrayNode();
        tuple.addArray().add(groupId).addNull();
        ArrayNode children = tuple.addArray();
        for (CeleryOutgoing member : members) {
            ArrayNode child = children.addArray();
            child.addArray().add(member.id).addNull();
            child.addNull();
        }
        ObjectNode meta = CeleryJson.MAPPER.createObjectNode();
        meta.set("result", tuple);
        redis.await(setKept(CeleryKeys.group(groupId), CeleryJson.MAPPER.writeValueAsString(meta)), "save a group");
    }

    /** Sets a result key for as long as results are kept (for ever when {@code result-expires} is 0, as Celery). */
    private java.util.concurrent.CompletionStage<String> setKept(String key, String value) {
        long seconds = results.expires().toSeconds();
        return seconds > 0 ? redis.commands().setex(key, seconds, value) : redis.commands().set(key, value);
    }

    /** Stores messages: one {@code LPUSH} per list, their queues' bindings declared as kombu declares them. */
    void publish(List<CeleryOutgoing> messages) {
        Map<String, List<String>> byList = new LinkedHashMap<>();
        Map<String, String> queues = new LinkedHashMap<>();
        for (CeleryOutgoing message : messages) {
            byList.computeIfAbsent(message.listKey(), key -> new ArrayList<>()).add(message.envelope(origin));
            queues.put(message.queue, message.queue);
        }
        var commands = redis.commands();
        List<java.util.concurrent.CompletionStage<?>> replies = new ArrayList<>();
        for (String queue : queues.keySet()) {
            replies.add(commands.sadd(CeleryKeys.bindings("celery"), CeleryKeys.binding(queue, queue)));
        }
        byList.forEach((list, envelopes) -> replies.add(commands.lpush(list, envelopes.toArray(String[]::new))));
        for (java.util.concurrent.CompletionStage<?> reply : replies) {
            redis.await(reply, "send Celery messages");
        }
    }

    /** The message of a call, with its links. */
    CeleryOutgoing message(TaskCall<?> call, TaskOptions defaults, String id) {
        TaskOptions options = defaults.merge(call.options());
        String queue = queueOf(call, defaults);
        if (queue == null) {
            throw new IllegalArgumentException("Task " + call.taskName() + " does not go to a Celery queue");
        }
        CeleryOutgoing message = new CeleryOutgoing(id, call.taskName(), queue);
        arguments(call, message.args, message.kwargs);
        Instant now = clock.instant();
        message.eta = options.getEta() != null ? options.getEta()
                : options.getCountdown() != null ? now.plus(options.getCountdown()) : null;
        message.expires = options.getExpiresAt() != null ? options.getExpiresAt()
                : options.getExpiresIn() != null ? now.plus(options.getExpiresIn()) : null;
        message.priority = options.getPriority() != null ? options.getPriority() : 0;
        TaskPolicies policies = options.getPolicies();
        message.softTimeLimit = seconds(policies.softTimeLimit());
        message.hardTimeLimit = seconds(policies.hardTimeLimit());
        options.getHeaders().forEach((name, value) -> {
            switch (name) {
                case "retries" -> message.retries = Integer.parseInt(value);
                case "shadow" -> message.shadow = value;
                default -> message.extraHeaders.put(name, value);
            }
        });
        TaskDefinition declared = registry.find(call.taskName());
        message.ignoreResult = declared != null && declared.ignoreResult();
        addLinks(message.embed, call, defaults);
        addErrorLinks(message.embed, call, defaults);
        return message;
    }

    /** A call as a Celery signature, the form it takes in another message's embed. */
    private ObjectNode signature(TaskCall<?> call, TaskOptions defaults, String id, @Nullable Signature<?> linksOf,
            @Nullable Signature<?> errorLinksOf) {
        TaskOptions options = defaults.merge(call.options());
        ObjectNode signature = CeleryJson.MAPPER.createObjectNode();
        signature.put("task", call.taskName());
        arguments(call, signature.putArray("args"), signature.putObject("kwargs"));
        ObjectNode celeryOptions = signature.putObject("options");
        celeryOptions.put("task_id", id);
        celeryOptions.put("queue", queueOf(call, defaults));
        if (options.getPriority() != null) {
            celeryOptions.put("priority", options.getPriority().intValue());
        }
        if (options.getCountdown() != null) {
            celeryOptions.put("countdown", options.getCountdown().toMillis() / 1000.0);
        }
        if (options.getExpiresIn() != null) {
            celeryOptions.put("expires", options.getExpiresIn().toMillis() / 1000.0);
        }
        ObjectNode embed = CeleryJson.MAPPER.createObjectNode();
        addLinks(embed, call, defaults);
        if (linksOf != null && linksOf != call) {
            addLinks(embed, linksOf, defaults);
        }
        addErrorLinks(embed, call, defaults);
        if (errorLinksOf != null && errorLinksOf != call) {
            addErrorLinks(embed, errorLinksOf, defaults);
        }
        if (embed.hasNonNull("callbacks")) {
            celeryOptions.set("link", embed.get("callbacks"));
        }
        if (embed.hasNonNull("errbacks")) {
            celeryOptions.set("link_error", embed.get("errbacks"));
        }
        signature.putNull("subtask_type");
        signature.put("immutable", call.isImmutable());
        return signature;
    }

    private void addLinks(ObjectNode embed, Signature<?> of, TaskOptions defaults) {
        appendSignatures(embed, "callbacks", of.links(), defaults);
    }

    private void addErrorLinks(ObjectNode embed, Signature<?> of, TaskOptions defaults) {
        appendSignatures(embed, "errbacks", of.errorLinks(), defaults);
    }

    private void appendSignatures(ObjectNode embed, String field, List<Signature<?>> links, TaskOptions defaults) {
        if (links.isEmpty()) {
            return;
        }
        ArrayNode array = embed.hasNonNull(field) ? (ArrayNode) embed.get(field) : embed.putArray(field);
        for (Signature<?> link : links) {
            if (!(link instanceof TaskCall<?> call)) {
                throw new IllegalArgumentException("On Celery queues, a link is a single task, but " + link
                        + " is not");
            }
            array.add(signature(call, defaults, idOf(call, defaults), null, null));
        }
    }

    /** Splits a call's arguments into Celery's positional and keyword ones (a trailing {@link Kwargs}). */
    private void arguments(TaskCall<?> call, ArrayNode args, ObjectNode kwargs) {
        List<@Nullable Object> values = call.args();
        int positional = values.size();
        if (positional > 0 && values.get(positional - 1) instanceof Kwargs named) {
            positional--;
            named.values().forEach((name, value) -> kwargs.set(name, mapper.valueToTree(value)));
        }
        for (int i = 0; i < positional; i++) {
            args.add(mapper.<tools.jackson.databind.JsonNode>valueToTree(values.get(i)));
        }
    }

    private static @Nullable Double seconds(@Nullable Duration duration) {
        return duration == null ? null : duration.toMillis() / 1000.0;
    }

    private static String idOf(TaskCall<?> call, TaskOptions defaults) {
        String chosen = call.options().getTaskId();
        return chosen != null ? chosen : UUID.randomUUID().toString();
    }

    private <R> TaskHandle<R> handle(String id, @Nullable String queue, TaskCall<R> call) {
        return new CeleryTaskHandle<>(id, queue, call.resultType(), results, control, mapper);
    }

    private void requireAllCelery(Signature<?> signature, TaskOptions defaults) {
        for (TaskCall<?> call : WorkflowCalls.of(signature)) {
            if (queueOf(call, defaults) == null) {
                throw new IllegalArgumentException("Workflow " + signature + " mixes Celery queues and taskqueue "
                        + "queues: task " + call.taskName() + " goes to no Celery queue. Route every step to a Celery "
                        + "queue (taskqueue.celery.routes, or the queue option), or none");
            }
        }
    }
}
