package dev.taskqueue.client;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import dev.taskqueue.GroupHandle;
import dev.taskqueue.Signature;
import dev.taskqueue.TaskCall;
import dev.taskqueue.TaskClient;
import dev.taskqueue.TaskHandle;
import dev.taskqueue.TaskInterceptor;
import dev.taskqueue.TaskOptions;
import dev.taskqueue.broker.Delivery;
import dev.taskqueue.broker.OutgoingMessage;
import dev.taskqueue.broker.Outcome;
import dev.taskqueue.broker.SubmitResult;
import dev.taskqueue.event.TaskEventListener;
import dev.taskqueue.internal.MessageCodec;
import dev.taskqueue.internal.TaskCatalog;
import dev.taskqueue.internal.TaskRegistry;
import dev.taskqueue.workflow.WorkflowEngine;

/**
 * Runs each task in the submitting thread, before {@code submit} returns (Celery's {@code task_always_eager}): for
 * applications' unit tests, with no Redis.
 * <ol>
 * <li>A call becomes a message as on Redis (its arguments and result go through JSON, so a type that would not
 * travel fails here too).</li>
 * <li>Its task runs through a worker's own steps ({@link Runner}: {@code dev.taskqueue.worker.InlineWorker}), at once:
 * countdowns and etas are not waited for.</li>
 * <li>Its outcome is kept in an {@link InlineStore}, as a worker's acknowledgement would keep it; a retry runs again
 * at once, without its delay.</li>
 * </ol>
 * A task submitted while another runs in this thread (a workflow's next step, or a task that submits one) runs after
 * it: a loop, not a recursion, so that a long chain does not grow the stack.
 */
public final class InlineTaskClient implements TaskClient {

    /** Who runs every inline task: its {@link dev.taskqueue.TaskContext#workerId()} and its record's worker. */
    public static final String WORKER_ID = "inline";

    /**
     * Runs one attempt of a task in the calling thread, as a worker runs it, and says how it ended (a retry's outcome
     * carries the next attempt).
     */
    @FunctionalInterface
    public interface Runner {

        Outcome run(Delivery delivery);
    }

    private final Runs runs;
    private final TaskOptions defaults;

    /**
     * An inline client whose submissions go through these interceptors, in order, and whose tasks run on the
     * {@link Runner} that {@code worker} makes from its workflow engine; {@code InlineWorker.client} builds one.
     */
    public InlineTaskClient(TaskRegistry registry, MessageCodec codec, ClientSettings settings,
            TaskEventListener listener, List<TaskInterceptor> interceptors, Clock clock,
            Function<WorkflowEngine, Runner> worker) {
        this(new Runs(new MessageFactory(TaskCatalog.local(registry, codec.mapper()), codec, settings, interceptors,
                clock), codec, listener, clock, worker), TaskOptions.defaults());
    }

    private InlineTaskClient(Runs runs, TaskOptions defaults) {
        this.runs = runs;
        this.defaults = defaults;
    }

    @Override
    public TaskClient withOptions(TaskOptions options) {
        return new InlineTaskClient(runs, defaults.merge(Objects.requireNonNull(options, "options")));
    }

    @Override
    public List<TaskHandle<?>> submitAll(List<? extends TaskCall<?>> calls) {
        MessageFactory.checkTaskIdNamesOne(calls.size(), defaults);
        if (calls.stream().anyMatch(Signature::hasCallbacks)) { // their successors travel in their messages
            return runs.workflows.submitCalls(calls, defaults).stream().<TaskHandle<?>>map(handles()::of).toList();
        }
        MessageFactory factory = runs.factory;
        return factory.aroundSubmit(calls, () -> {
            List<OutgoingMessage> messages = new ArrayList<>(calls.size());
            for (TaskCall<?> call : calls) {
                messages.add(factory.prepare(call, defaults));
            }
            runs.steps.submit(messages);
            List<TaskHandle<?>> handles = new ArrayList<>(calls.size());
            for (int i = 0; i < calls.size(); i++) {
                TaskCall<?> call = calls.get(i);
                handles.add(new DefaultTaskHandle<>(messages.get(i).id(), messages.get(i).queue(), call.resultType(),
                        runs.store, runs.codec, factory.ignoresResult(call) ? call.taskName() : null,
                        DefaultTaskHandle.Revoker.NONE));
            }
            return handles;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> TaskHandle<R> submit(Signature<R> signature) {
        if (signature instanceof TaskCall<R> call && !call.hasCallbacks()) {
            return (TaskHandle<R>) submitAll(List.of(call)).get(0);
        }
        return (TaskHandle<R>) handles().of(runs.workflows.submit(signature, defaults));
    }

    @Override
    public GroupHandle<Object> groupHandle(String groupId) {
        return handles().group(groupId);
    }

    private WorkflowHandles handles() {
        return new WorkflowHandles(runs.store, runs.store, runs.codec, DefaultTaskHandle.Revoker.NONE);
    }

    @Override
    public <R> TaskHandle<R> handle(String taskId, Class<R> resultType) {
        return DefaultTaskHandle.found(taskId, resultType, runs.store, runs.codec, DefaultTaskHandle.Revoker.NONE);
    }

    @Override
    public <R> TaskHandle<R> handle(String queue, String taskId, Class<R> resultType) {
        return DefaultTaskHandle.inQueue(queue, taskId, resultType, runs.store, runs.codec,
                DefaultTaskHandle.Revoker.NONE);
    }

    /**
     * What this client and its copies with other options share: where its messages come from, where its tasks run
     * and their outcomes are kept, and the tasks waiting in each thread for the one it runs.
     */
    private static final class Runs {

        final MessageFactory factory;
        final MessageCodec codec;
        final InlineStore store;
        /** Stores messages by running them, and tells the listener ("submitted"). */
        final ClientSteps steps;
        final WorkflowEngine workflows;
        final Runner runner;
        /** Tasks submitted while another runs in this thread: they run after it, in order. */
        final ThreadLocal<ArrayDeque<Delivery>> queued = new ThreadLocal<>();

        Runs(MessageFactory factory, MessageCodec codec, TaskEventListener listener, Clock clock,
                Function<WorkflowEngine, Runner> worker) {
            this.factory = factory;
            this.codec = codec;
            this.store = new InlineStore(clock);
            this.steps = new ClientSteps(factory, this::runAll, listener);
            this.workflows = new WorkflowEngine(store, steps, codec.mapper(),
                    factory.settings().resultTtl().toMillis());
            this.runner = worker.apply(workflows);
        }

        /**
         * Runs the messages now, in this thread, each to its end (its retries included), unless a task runs in this
         * thread already: then after it. A caller-chosen id already used is a duplicate, as on Redis.
         */
        private List<SubmitResult> runAll(List<OutgoingMessage> messages) {
            List<SubmitResult> results = new ArrayList<>(messages.size());
            ArrayDeque<Delivery> queue = queued.get();
            boolean outermost = queue == null;
            if (outermost) {
                queue = new ArrayDeque<>();
                queued.set(queue);
            }
            for (OutgoingMessage message : messages) {
                if (message.deduplicate() && !store.claim(message.id(), message.queue())) {
                    results.add(new SubmitResult(SubmitResult.Outcome.DUPLICATE, message.id()));
                    continue;
                }
                queue.add(delivery(message.queue(), message.id(), message.body()));
                results.add(new SubmitResult(SubmitResult.Outcome.ACCEPTED, message.id()));
            }
            if (outermost) {
                try {
                    for (Delivery next = queue.poll(); next != null; next = queue.poll()) {
                        Outcome outcome = runner.run(next);
                        store.acknowledge(outcome);
                        Outcome.Retry retry = outcome.retry();
                        if (retry != null) { // its next attempt, now: nothing else runs before it
                            queue.addFirst(delivery(next.queue(), next.taskId(), retry.body()));
                        }
                    }
                }
                finally {
                    queued.remove();
                }
            }
            return results;
        }

        /** A message as a worker would claim it: no stream, no lease, first delivery. */
        private static Delivery delivery(String queue, String taskId, byte[] body) {
            return new Delivery(queue, WORKER_ID, taskId, taskId, body, 0, false);
        }
    }
}
