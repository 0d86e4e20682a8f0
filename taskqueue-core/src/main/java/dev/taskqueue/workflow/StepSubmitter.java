package dev.taskqueue.workflow;

import java.util.List;
import java.util.function.Supplier;

import dev.taskqueue.PayloadTooLargeException;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What the engine needs of a client to store a workflow's steps: the same checks, interceptors and store that any
 * call goes through. The client implements it (with its message factory and its broker, or the inline client's
 * immediate run), so that the engine, which workers use too, does not depend on the client.
 */
public interface StepSubmitter {

    /** The most tasks one workflow may hold ({@code taskqueue.max-workflow-tasks}). */
    int maxWorkflowTasks();

    /**
     * What this application knows of a call's task, checked at submit: the queue it goes to and its parameter
     * names. A task found nowhere is refused, unless unknown tasks are allowed.
     */
    Resolved resolve(TaskCall<?> call, TaskOptions options);

    /** Runs a submission inside the interceptors' {@code aroundSubmit}. */
    <T> T aroundSubmit(List<? extends TaskCall<?>> calls, Supplier<T> submission);

    /**
     * A step's message, through the interceptors' {@code beforeSubmit}; nothing is sent.
     *
     * @throws IllegalArgumentException when its arguments or options cannot be written
     * @throws PayloadTooLargeException when it is larger than the client allows
     */
    OutgoingMessage prepare(TaskCall<?> call, Lineage lineage);

    /** Stores messages in one round trip (and tells the event listener what was stored). */
    List<SubmitResult> submit(List<OutgoingMessage> messages);

    /**
     * What this application knows of a call's task.
     *
     * @param queue the queue the call goes to
     * @param parameterNames its parameter names, or null when the task is unknown here (submitted by name only)
     */
    record Resolved(String queue, @Nullable List<String> parameterNames) {
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
}
