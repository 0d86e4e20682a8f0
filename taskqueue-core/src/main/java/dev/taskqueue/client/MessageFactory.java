package dev.taskqueue.client;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import dev.taskqueue.DeclaredTask;
import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.TaskPolicies;
import dev.taskqueue.Unique;
import dev.taskqueue.UnknownTaskException;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.Interceptors;
import dev.taskqueue.internal.KeyExpression;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.workflow.StepSubmitter.Lineage;
import dev.taskqueue.workflow.StepSubmitter.Resolved;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Turns a {@link TaskCall} into a message: resolves the task's declared queue, priority and policies (this
 * application's registry knows best, then the method reference's {@link Task} annotation, then the task catalog
 * its workers published), checks the arguments against the parameters, merges the options (client's, then the
 * call's), encodes, and checks the size. Nothing is sent. A name found nowhere is refused, unless unknown tasks
 * are allowed: then it goes to the default queue.
 */
final class MessageFactory {

    private final TaskCatalog catalog;
    private final MessageCodec codec;
    private final ClientSettings settings;
    private final List<TaskInterceptor> interceptors;
    private final Clock clock;

    MessageFactory(TaskCatalog catalog, MessageCodec codec, ClientSettings settings,
            List<TaskInterceptor> interceptors, Clock clock) {
        this.catalog = catalog;
        this.codec = codec;
        this.settings = settings;
        this.interceptors = List.copyOf(interceptors);
        this.clock = clock;
    }

    ClientSettings settings() {
        return settings;
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

    /** What this application knows of a call's task: its queue, and its parameter names when known. */
    Resolved resolve(TaskCall<?> call, TaskOptions options) {
        Defaults declared = declaredDefaults(call, true);
        return new Resolved(options.getQueue() != null ? TaskDeclarations.checkQueueName(options.getQueue())
                : declared.queue(), declared.parameterNames());
    }

    OutgoingMessage prepare(TaskCall<?> call, TaskOptions clientDefaults, @Nullable Lineage lineage) {
        // A workflow's later steps were checked when it was submitted; a worker starting them does not refuse them.
        Defaults declared = declaredDefaults(call, lineage == null || lineage.parentId() == null);
        TaskOptions options = Interceptors.beforeSubmit(interceptors, call, clientDefaults.merge(call.options()));
        String queue = options.getQueue() != null ? TaskDeclarations.checkQueueName(options.getQueue())
                : declared.queue();
        int priority = options.getPriority() != null ? options.getPriority() : declared.priority();
        String id = options.getTaskId() != null ? options.getTaskId() : TaskIds.next();
        long now = clock.millis();
        Long eta = options.getEta() != null ? options.getEta().toEpochMilli() : null;
        long delay = options.getCountdown() != null ? options.getCountdown().toMillis() : 0;
        checkArguments(call, declared);
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
        String key = expression.keyOf(call.taskName(), i -> codec.mapper().valueToTree(call.args().get(i)));
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
        return declaredDefaults(call, false).ignoreResult();
    }

    private @Nullable Long expiry(TaskOptions options, long now) {
        Instant at = options.getExpiresAt();
        Duration in = options.getExpiresIn() != null ? options.getExpiresIn() : settings.defaultExpiresIn();
        return at != null ? Long.valueOf(at.toEpochMilli()) : in != null ? Long.valueOf(now + in.toMillis()) : null;
    }

    /**
     * The call's arguments against the task's parameters: their number, and, for a call by name (a method
     * reference's types are the compiler's business), each one's JSON type.
     */
    private void checkArguments(TaskCall<?> call, Defaults declared) {
        TaskDefinition definition = declared.definition();
        if (definition != null && call.method() == null) {
            catalog.checkArguments(catalog.describe(definition), call.args());
        }
        else if (definition != null && definition.parameterTypes().size() != call.args().size()) {
            throw new IllegalArgumentException("Task '" + call.taskName() + "' takes "
                    + definition.parameterTypes().size() + " argument(s) " + definition.parameterNames() + ", but "
                    + call.args().size() + " were given");
        }
        else if (declared.published() != null) {
            catalog.checkArguments(declared.published(), call.args());
        }
    }

    /**
     * What the call's task declares: this application's registry, the method's annotation, the catalog.
     *
     * @param refuseUnknown whether a task found nowhere is refused (unless unknown tasks are allowed)
     */
    private Defaults declaredDefaults(TaskCall<?> call, boolean refuseUnknown) {
        TaskDefinition definition = catalog.registry().find(call.taskName());
        if (definition != null) {
            return new Defaults(definition.queue(), definition.priority(), definition.ignoreResult(), definition,
                    null, definition.policies(), definition.parameterNames());
        }
        Method method = call.method();
        Task task = method != null ? TaskDeclarations.findTaskAnnotation(method) : null;
        if (task != null) {
            List<String> names = TaskDeclarations.parameterNames(method);
            return new Defaults(task.queue().isEmpty() ? settings.defaultQueue() : task.queue(),
                    Math.max(task.priority(), 0), task.ignoreResult(), null, null,
                    TaskDeclarations.policies(task, names), names);
        }
        DeclaredTask published = catalog.published(call.taskName());
        if (published != null) {
            return new Defaults(published.queue(), published.priority(), published.ignoreResult(), null, published,
                    published.policies(), published.parameterNames());
        }
        if (refuseUnknown && !settings.allowUnknownTasks()) {
            throw new UnknownTaskException(call.taskName());
        }
        return new Defaults(settings.defaultQueue(), TaskOptions.MIN_PRIORITY, false, null, null, TaskPolicies.NONE,
                null);
    }

    /**
     * What the task declares, as far as this application knows it.
     *
     * @param definition the task's definition when this application declares it
     * @param published the task as its workers published it, when only the catalog knows it
     * @param parameterNames null when the task is unknown (submitted by name only)
     */
    private record Defaults(String queue, int priority, boolean ignoreResult, @Nullable TaskDefinition definition,
            @Nullable DeclaredTask published, TaskPolicies policies, @Nullable List<String> parameterNames) {
    }
}
