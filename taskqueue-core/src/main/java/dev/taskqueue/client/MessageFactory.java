package dev.taskqueue.client;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.Unique;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.Interceptors;
import dev.taskqueue.internal.KeyExpression;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Turns a {@link TaskCall} into a message: resolves the task's declared queue and priority (the local registry
 * knows best, then the method reference's {@link Task} annotation, then the defaults), merges the options
 * (client's, then the call's), encodes, and checks the size. Nothing is sent.
 */
final class MessageFactory {

    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final ClientSettings settings;
    private final List<TaskInterceptor> interceptors;
    private final Clock clock;

    MessageFactory(TaskRegistry registry, MessageCodec codec, ClientSettings settings,
            List<TaskInterceptor> interceptors, Clock clock) {
        this.registry = registry;
        this.codec = codec;
        this.settings = settings;
        this.interceptors = List.copyOf(interceptors);
        this.clock = clock;
    }

    /** Runs a submission inside the interceptors' {@code aroundSubmit}. */
    @SuppressWarnings("unchecked")
    <T> T aroundSubmit(List<? extends TaskCall<?>> calls, Supplier<T> submission) {
        if (interceptors.isEmpty()) {
            return submission.get();
        }
        try {
            return (T) Interceptors.aroundSubmit(interceptors, calls, submission::get);
        }
        catch (RuntimeException | Error ex) {
            throw ex;
        }
        catch (Throwable ex) {
            throw new IllegalStateException("A TaskInterceptor failed around the submission: " + ex, ex);
        }
    }

    OutgoingMessage prepare(TaskCall<?> call, TaskOptions clientDefaults) {
        return prepare(call, clientDefaults, null);
    }

    /**
     * Where a message sits in a workflow.
     *
     * @param parentId the task (or chord) whose end submitted it, or null at the top
     * @param rootId the workflow's first task, or null at the top
     * @param workflow what runs after it (links, error links, chord membership), or null
     */
    record Lineage(@Nullable String parentId, @Nullable String rootId, @Nullable JsonNode workflow) {
    }

    /** What this application knows of a call's task: its queue, and its parameter names when known. */
    record Resolved(String queue, @Nullable List<String> parameterNames) {
    }

    Resolved resolve(TaskCall<?> call, TaskOptions options) {
        Defaults declared = declaredDefaults(call);
        return new Resolved(options.getQueue() != null ? TaskDeclarations.checkQueueName(options.getQueue())
                : declared.queue(), declared.parameterNames());
    }

    OutgoingMessage prepare(TaskCall<?> call, TaskOptions clientDefaults, @Nullable Lineage lineage) {
        Defaults declared = declaredDefaults(call);
        TaskOptions options = Interceptors.beforeSubmit(interceptors, call, clientDefaults.merge(call.options()));
        String queue = options.getQueue() != null ? TaskDeclarations.checkQueueName(options.getQueue())
                : declared.queue();
        int priority = options.getPriority() != null ? options.getPriority() : declared.priority();
        String id = options.getTaskId() != null ? options.getTaskId() : TaskIds.next();
        long now = clock.millis();
        Long eta = options.getEta() != null ? options.getEta().toEpochMilli() : null;
        long delay = options.getCountdown() != null ? options.getCountdown().toMillis() : 0;
        TaskDefinition definition = declared.definition();
        if (definition != null && definition.parameterTypes().size() != call.args().size()) {
            throw new IllegalArgumentException("Task '" + call.taskName() + "' takes "
                    + definition.parameterTypes().size() + " argument(s) " + definition.parameterNames() + ", but "
                    + call.args().size() + " were given");
        }
        TaskPolicies.Uniqueness uniqueness = options.getPolicies().unique() != null ? options.getPolicies().unique()
                : declared.policies().unique();
        OutgoingMessage.UniqueClaim unique = uniqueness == null ? null : uniqueClaim(call, uniqueness, declared);
        if (unique != null && unique.mode() == Unique.Mode.DEBOUNCE) {
            delay = unique.windowMillis(); // a debounced task waits for newer arguments
            eta = null;
        }
        TaskMessage message = new TaskMessage(id, call.taskName(), queue, priority, now,
                eta != null ? eta : delay > 0 ? Long.valueOf(now + delay) : null, expiry(options, now), 0,
                options.getHeaders(), lineage == null ? null : lineage.parentId(),
                lineage == null ? null : lineage.rootId(), options.getPolicies(),
                unique != null && unique.mode() == Unique.Mode.UNTIL_FINISHED ? unique.key() : null, false,
                lineage == null ? null : lineage.workflow());
        byte[] body;
        try {
            body = codec.encodeBody(message, call.args());
        }
        catch (JacksonException ex) {
            throw new IllegalArgumentException("The arguments of task '" + call.taskName() + "' cannot be written as "
                    + "JSON: " + ex.getOriginalMessage() + ". Pass data (records, strings, numbers, collections)", ex);
        }
        if (body.length > settings.maxPayloadSize()) {
            throw new PayloadTooLargeException(call.taskName(), queue, body.length, settings.maxPayloadSize());
        }
        return new OutgoingMessage(id, call.taskName(), queue, priority, body, delay, eta,
                options.getTaskId() != null, settings.resultTtl().toMillis(), unique,
                lineage == null ? null : lineage.parentId());
    }

    /** The uniqueness key of this call: the task's name and the key expression's value over its arguments. */
    private OutgoingMessage.UniqueClaim uniqueClaim(TaskCall<?> call, TaskPolicies.Uniqueness uniqueness,
            Defaults declared) {
        List<String> parameterNames = declared.parameterNames();
        if (parameterNames == null) {
            if (!uniqueness.key().equals("*")) {
                throw new IllegalArgumentException("Task '" + call.taskName() + "' is unknown to this application, so"
                        + " the unique key '" + uniqueness.key() + "' cannot name its parameters: use '*', or submit"
                        + " with a method reference");
            }
            parameterNames = List.of();
        }
        KeyExpression expression = KeyExpression.parse(uniqueness.key(), parameterNames);
        String key = call.taskName() + ":" + expression.evaluate(i -> codec.mapper().valueToTree(call.args().get(i)));
        Duration window = uniqueness.window() != null ? uniqueness.window() : settings.resultTtl();
        return new OutgoingMessage.UniqueClaim(key, uniqueness.mode(), window.toMillis());
    }

    /** A task id set on a client names one task: refuses it for several calls at once. */
    static void checkTaskIdNamesOne(int calls, TaskOptions defaults) {
        if (calls > 1 && defaults.getTaskId() != null) {
            throw new IllegalArgumentException("A task id option names one task, and " + calls + " calls were "
                    + "submitted with it: set an id on each TaskCall (TaskCall.withOptions) instead");
        }
    }

    /** Whether the task is declared with {@code ignoreResult}: then there is no result to wait for. */
    boolean ignoresResult(TaskCall<?> call) {
        TaskDefinition definition = registry.find(call.taskName());
        if (definition != null) {
            return definition.ignoreResult();
        }
        Method method = call.method();
        Task task = method != null ? TaskDeclarations.findTaskAnnotation(method) : null;
        return task != null && task.ignoreResult();
    }

    private @Nullable Long expiry(TaskOptions options, long now) {
        Instant at = options.getExpiresAt();
        Duration in = options.getExpiresIn() != null ? options.getExpiresIn() : settings.defaultExpiresIn();
        return at != null ? Long.valueOf(at.toEpochMilli()) : in != null ? Long.valueOf(now + in.toMillis()) : null;
    }

    private Defaults declaredDefaults(TaskCall<?> call) {
        TaskDefinition definition = registry.find(call.taskName());
        if (definition != null) {
            return new Defaults(definition.queue(), definition.priority(), definition, definition.policies(),
                    definition.parameterNames());
        }
        Method method = call.method();
        Task task = method != null ? TaskDeclarations.findTaskAnnotation(method) : null;
        if (task != null) {
            List<String> names = TaskDeclarations.parameterNames(method);
            return new Defaults(task.queue().isEmpty() ? settings.defaultQueue() : task.queue(),
                    Math.max(task.priority(), 0), null, TaskDeclarations.policies(task, names), names);
        }
        return new Defaults(settings.defaultQueue(), TaskOptions.MIN_PRIORITY, null, TaskPolicies.NONE, null);
    }

    /**
     * What the task declares, as far as this application knows it.
     *
     * @param parameterNames null when the task is unknown here (submitted by name only)
     */
    private record Defaults(String queue, int priority, @Nullable TaskDefinition definition, TaskPolicies policies,
            @Nullable List<String> parameterNames) {
    }
}
