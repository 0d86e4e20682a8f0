package dev.taskqueue.client;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.Task;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskIds;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskDeclarations;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * Turns a {@link TaskCall} into a message: resolves the task's declared queue and priority (the local registry
 * knows best, then the method reference's {@link Task} annotation, then the defaults), merges the options
 * (client's, then the call's), encodes, and checks the size. Nothing is sent.
 */
final class MessageFactory {

    private final TaskRegistry registry;
    private final MessageCodec codec;
    private final ClientSettings settings;
    private final Clock clock;

    MessageFactory(TaskRegistry registry, MessageCodec codec, ClientSettings settings, Clock clock) {
        this.registry = registry;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
    }

    OutgoingMessage prepare(TaskCall<?> call, TaskOptions clientDefaults) {
        Defaults declared = declaredDefaults(call);
        TaskOptions options = clientDefaults.merge(call.options());
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
        TaskMessage message = new TaskMessage(id, call.taskName(), queue, priority, now,
                eta != null ? eta : delay > 0 ? Long.valueOf(now + delay) : null, expiry(options, now), 0,
                options.getHeaders(), null, null);
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

    private static @Nullable Long expiry(TaskOptions options, long now) {
        Instant at = options.getExpiresAt();
        Duration in = options.getExpiresIn();
        return at != null ? Long.valueOf(at.toEpochMilli()) : in != null ? Long.valueOf(now + in.toMillis()) : null;
    }

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
