package dev.taskqueue.client;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.workflow.StepSubmitter;

/** A workflow's steps are submitted as this client submits any call: its message factory, then its store. */
final class ClientSteps implements StepSubmitter {

    private final MessageFactory factory;
    private final Function<List<OutgoingMessage>, List<SubmitResult>> store;
    private final TaskEventListener listener;

    /**
     * @param store a broker's submit, or the inline client's immediate run
     */
    ClientSteps(MessageFactory factory, Function<List<OutgoingMessage>, List<SubmitResult>> store,
            TaskEventListener listener) {
        this.factory = factory;
        this.store = store;
        this.listener = listener;
    }

    @Override
    public int maxWorkflowTasks() {
        return factory.settings().maxWorkflowTasks();
    }

    @Override
    public Resolved resolve(TaskCall<?> call, TaskOptions options) {
        return factory.resolve(call, options);
    }

    @Override
    public <T> T aroundSubmit(List<? extends TaskCall<?>> calls, Supplier<T> submission) {
        return factory.aroundSubmit(calls, submission);
    }

    @Override
    public OutgoingMessage prepare(TaskCall<?> call, Lineage lineage) {
        return factory.prepare(call, TaskOptions.defaults(), lineage);
    }

    @Override
    public List<SubmitResult> submit(List<OutgoingMessage> messages) {
        List<SubmitResult> results = store.apply(messages);
        DefaultTaskClient.announce(listener, messages, results);
        return results;
    }
}
