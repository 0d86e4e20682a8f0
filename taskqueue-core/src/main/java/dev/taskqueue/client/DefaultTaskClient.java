package dev.taskqueue.client;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.broker.Broker;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.ResultBackend;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Submits tasks through a {@link Broker} and hands out handles that read a {@link ResultBackend}.
 *
 * <p>For each call: resolves the task's defaults (from the local registry, or the {@link Task} annotation of the
 * method reference), merges the options (client's, then call's), encodes the message, checks its size, and
 * stores it: a call returns only once Redis has it.
 */
public final class DefaultTaskClient implements TaskClient {

    private final Broker broker;
    private final ResultBackend backend;
    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final ClientSettings settings;
    private final TaskEventListener listener;
    private final Clock clock;
    private final TaskOptions defaults;

    public DefaultTaskClient(Broker broker, ResultBackend backend, TaskRegistry registry, MessageCodec codec,
            ClientSettings settings, TaskEventListener listener, Clock clock) {
        this(broker, backend, registry, codec, settings, listener, clock, TaskOptions.defaults());
    }

    private DefaultTaskClient(Broker broker, ResultBackend backend, TaskRegistry registry, MessageCodec codec,
            ClientSettings settings, TaskEventListener listener, Clock clock, TaskOptions defaults) {
        this.broker = broker;
        this.backend = backend;
        this.registry = registry;
        this.codec = codec;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.defaults = defaults;
    }

    @Override
    public TaskClient withOptions(TaskOptions options) {
        return new DefaultTaskClient(broker, backend, registry, codec, settings, listener, clock,
                defaults.merge(Objects.requireNonNull(options, "options")));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> TaskHandle<R> submit(TaskCall<R> call) {
        return (TaskHandle<R>) submitAll(List.of(call)).get(0);
    }

    @Override
    public List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<OutgoingMessage> messages = new ArrayList<>(calls.size());
        for (TaskCall<?> call : calls) {
            messages.add(prepare(call));
        }
        List<SubmitResult> results = broker.submit(messages);
        List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            OutgoingMessage message = messages.get(i);
            if (results.get(i) == SubmitResult.DUPLICATE) {
                listener.duplicateSubmitted(message.taskName(), message.queue());
            }
            else {
                listener.submitted(message.taskName(), message.queue());
            }
            handles.add(new DefaultTaskHandle<>(message.id(), message.queue(), calls.get(i).resultType(), backend,
                    codec));
        }
        return handles;
    }

    @Override
    public <R> TaskHandle<R> handle(String taskId, Class<R> resultType) {
        TaskIds.check(taskId);
        return new DefaultTaskHandle<>(taskId, null, resultType, backend, codec);
    }

    /** A handle to a task known to be in {@code queue}: one lookup instead of a search. */
    public <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType) {
        TaskIds.check(taskId);
        return new DefaultTaskHandle<>(taskId, TaskDeclarations.checkQueueName(queue), resultType, backend, codec);
    }

    private OutgoingMessage prepare(TaskCall<?> call) {
        Defaults declared = declaredDefaults(call);
        TaskOptions options = defaults.merge(call.options());
        String queue = options.getQueue() != null ? TaskDeclarations.checkQueueName(options.getQueue())
                : declared.queue();
        int priority = options.getPriority() != null ? options.getPriority() : declared.priority();
        String id = options.getTaskId() != null ? options.getTaskId() : TaskIds.next();
        long now = clock.millis();
        Long eta = options.getEta() != null ? options.getEta().toEpochMilli() : null;
        long delay = options.getCountdown() != null ? options.getCountdown().toMillis() : 0;
        Long expires = expiry(options, now);
        if (declared.definition() != null && declared.definition().parameterTypes().size() != call.args().size()) {
            TaskDefinition d = declared.definition();
            throw new IllegalArgumentException("Task '" + call.taskName() + "' takes " + d.parameterTypes().size()
                    + " argument(s) " + d.parameterNames() + ", but " + call.args().size() + " were given");
        }
        TaskMessage message = new TaskMessage(id, call.taskName(), queue, priority, now,
                eta != null ? eta : delay > 0 ? now + delay : null, expires, 0, options.getHeaders(), null, null);
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
                options.getTaskId() != null, settings.resultTtl().toMillis());
    }

    private static @Nullable Long expiry(TaskOptions options, long now) {
        Instant at = options.getExpiresAt();
        Duration in = options.getExpiresIn();
        return at != null ? Long.valueOf(at.toEpochMilli()) : in != null ? Long.valueOf(now + in.toMillis()) : null;
    }

    /** The queue and priority a task declares: the local registry knows best, then the method's annotation. */
    private Defaults declaredDefaults(TaskCall<?> call) {
        TaskDefinition definition = registry.find(call.taskName());
        if (definition != null) {
            return new Defaults(definition.queue(), definition.priority(), definition);
        }
        Method method = call.method();
        Task task = method != null ? TaskDeclarations.findTaskAnnotation(method) : null;
        if (task != null) {
            return new Defaults(task.queue().isEmpty() ? settings.defaultQueue() : task.queue(),
                    Math.max(task.priority(), 0), null);
        }
        return new Defaults(settings.defaultQueue(), TaskOptions.MIN_PRIORITY, null);
    }

    private record Defaults(String queue, int priority, @Nullable TaskDefinition definition) {
    }
}
