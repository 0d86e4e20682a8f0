package dev.taskqueue.worker;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskqueue.TaskPolicies;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.TaskMessage;
import dev.taskqueue.internal.Errors;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.MessageCodec.CorruptMessageException;
import dev.taskqueue.internal.TaskDefinition;
import dev.taskqueue.internal.TaskInvoker;
import dev.taskqueue.workflow.UnreadableWorkflowException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Decides whether a claimed task may run, and reads what its run needs into the {@link Run}:
 * <ol>
 * <li>its message (an entry or a message that cannot be read is quarantined in the dead letters);</li>
 * <li>its task (an unknown name fails, kept in the dead letters for a worker that knows it);</li>
 * <li>its workflow's format (a version this worker cannot read fails before it runs: what follows could not
 * start);</li>
 * <li>whether it was revoked, or expired, before it started (REVOKED);</li>
 * <li>whether it was delivered {@code maxDeliveries} times already (a poison pill: failed without running);</li>
 * <li>its arguments, converted from JSON to the method's parameter types (a mismatch fails, naming the
 * parameter), and its policies over the task's and the worker's.</li>
 * </ol>
 */
final class Admission {

    private static final Logger log = Processor.RUN_LOG;

    private final RunEnvironment env;
    private final TaskRuntime runtime;
    private final TaskInvoker invoker;
    private final Map<String, TaskPolicies> declaredPolicies = new ConcurrentHashMap<>();

    Admission(RunEnvironment env, TaskRuntime runtime) {
        this.env = env;
        this.runtime = runtime;
        this.invoker = new TaskInvoker(runtime.codec());
    }

    /** Null when the run may go on (its message, task, arguments and policies read), else how it ends. */
    @Nullable Ending admit(Run run) {
        Delivery delivery = run.delivery;
        String malformed = delivery.malformed();
        if (malformed != null) {
            return Ending.quarantined(malformed);
        }
        MessageCodec.Decoded decoded;
        try {
            decoded = runtime.codec().decode(delivery.taskId(), delivery.body());
        }
        catch (CorruptMessageException ex) {
            return Ending.quarantined("corrupt message: " + ex.getMessage());
        }
        TaskMessage message = decoded.message();
        run.message = message;
        run.jsonArgs = decoded.args();
        TaskDefinition task = runtime.registry().find(message.task());
        if (task == null) {
            String reason = "no task named '" + message.task() + "' on this worker (" + env.workerId()
                    + ", which knows " + runtime.registry().all().size() + " task(s)); deploy a worker that declares "
                    + "it, then requeue the dead letter";
            return Ending.failed(Errors.ofReason("dev.taskqueue.UnknownTaskException", reason), reason, null);
        }
        run.task = task;
        env.listener().received(delivery.taskId(), task.name(), delivery.queue());
        Ending refused = refused(run, message, task);
        if (refused != null) {
            return refused;
        }
        try {
            run.args = invoker.bind(task, decoded.args());
        }
        catch (IllegalArgumentException ex) {
            String reason = ex.getMessage() + "; not retried";
            return Ending.failed(Errors.ofReason("dev.taskqueue.InvalidArgumentsException", reason), reason, null);
        }
        run.policies = message.policies() == TaskPolicies.NONE ? declaredPolicies(task)
                : message.policies().orElse(declaredPolicies(task));
        return null;
    }

    /** A known task that must not run: its workflow unreadable, revoked, expired, or a poison pill. */
    private @Nullable Ending refused(Run run, TaskMessage message, TaskDefinition task) {
        run.workflow = runtime.workflows().read(message);
        String unreadable = run.workflow.unreadable(); // what follows it could not start
        if (unreadable != null) {
            return Ending.failed(Errors.ofReason(UnreadableWorkflowException.class.getName(), unreadable), unreadable,
                    null);
        }
        Delivery delivery = run.delivery;
        if (delivery.revoked()) {
            return Ending.revoked("revoked before it started");
        }
        Long expires = message.expires();
        if (expires != null && env.clock().millis() > expires) {
            return Ending.revoked("expired: it had not started by " + Instant.ofEpochMilli(expires));
        }
        if (delivery.deliveries() >= env.settings().maxDeliveries()) {
            // Taken back from its workers this often: running it again would likely kill this worker too.
            String reason = "delivered " + delivery.deliveries() + " times and its worker never finished it (died or "
                    + "hung each time): a poison pill? Requeue it once the cause is fixed";
            log.error("Task {} [{}] from queue '{}' sent to the dead letters without running it: {}", task.name(),
                    delivery.taskId(), delivery.queue(), reason);
            return Ending.failed(Errors.ofReason("dev.taskqueue.WorkerLostException", reason), reason, null);
        }
        return null;
    }

    /** A task's declared policies over the worker's defaults, merged once per task. */
    private TaskPolicies declaredPolicies(TaskDefinition task) {
        return declaredPolicies.computeIfAbsent(task.name(), name -> task.policies().orElse(
                env.settings().defaultPolicies()));
    }
}
